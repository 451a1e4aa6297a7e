import { RulesValidationError } from '@hookflow/rules';
import { ApiError } from '../errors/api-error';

export type CatalogKind = 'source' | 'rule';

/** A definition that fails the checks of a rules file: 422 with each problem at its path in the body. */
export function definitionInvalid(kind: CatalogKind, error: RulesValidationError): ApiError {
  return ApiError.invalid(
    `the ${kind} definition is not valid`,
    error.problems.map((problem) => ({ path: problem.path ?? '', message: problem.message })),
  );
}

/** Runs a validation; its {@link RulesValidationError} becomes the 422 of {@link definitionInvalid}. */
export async function validatedOrInvalid<T>(kind: CatalogKind, validate: () => T | Promise<T>): Promise<T> {
  try {
    return await validate();
  } catch (error) {
    if (error instanceof RulesValidationError) throw definitionInvalid(kind, error);
    throw error;
  }
}

/** Sources and rules of the rules directory change only through their files. */
export function managedByYaml(kind: CatalogKind, id: string): ApiError {
  return ApiError.conflict(
    'managed_by_yaml',
    `${kind} "${id}" is defined in the rules directory (HOOKFLOW_RULES_DIR) and read-only through the API: edit its file instead`,
  );
}

export function alreadyExists(kind: CatalogKind, id: string): ApiError {
  return ApiError.conflict('already_exists', `${kind} "${id}" already exists: change it with PUT /${kind}s/${id}`);
}

/** A definition whose `id` differs from the id in the path: ids are not renamed. */
export function idMismatch(kind: CatalogKind, id: string): ApiError {
  return ApiError.invalid(`the ${kind} definition is not valid`, [
    { path: 'id', message: `id must be "${id}", the id in the path (a ${kind} cannot be renamed)` },
  ]);
}
