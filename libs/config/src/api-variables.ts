/**
 * Which environment variables a definition written through the admin API may name as `${VAR}`
 * (HOOKFLOW_API_VARIABLES). Rules files are the operator's and may name any; anyone with a write
 * key could otherwise copy any variable of the process into a source or send it anywhere with an
 * http step, so the API may name only what an operator exposed, and never Hookflow's own settings.
 */

/** Settings Hookflow (or the PostgreSQL driver, which reads PG*) takes from the environment, besides the prefixed ones. */
const OWN_SETTINGS = ['DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'LOG_LEVEL', 'INGEST_PORT', 'ADMIN_PORT', 'ENGINE_PORT'];
const OWN_PREFIXES = ['HOOKFLOW_', 'OTEL_', 'PG'];

/** A variable name, or a prefix ending in `*`. */
const PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

export const API_VARIABLES_SETTING = 'HOOKFLOW_API_VARIABLES';

/** Whether a variable is one of Hookflow's own settings, which are never exposed to the admin API (compared case-insensitively). */
export function isHookflowSetting(name: string): boolean {
  const upper = name.toUpperCase();
  return OWN_SETTINGS.includes(upper) || OWN_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/**
 * Reads the entries of HOOKFLOW_API_VARIABLES: names (`SHOP_TOKEN`) and prefixes (`SHOP_*`). An
 * entry that is malformed, or that names or could take in one of Hookflow's own settings, is a
 * problem (one line each): start-up refuses it rather than quietly narrowing what the operator wrote.
 */
export function parseApiVariables(entries: string[]): { patterns: string[]; problems: string[] } {
  const problems: string[] = [];
  const patterns: string[] = [];
  for (const entry of entries) {
    if (entry === '*') {
      problems.push(
        `${API_VARIABLES_SETTING} must not be a lone * (it would expose the whole environment): list names or prefixes such as SHOP_*`,
      );
    } else if (!PATTERN.test(entry)) {
      problems.push(
        `${API_VARIABLES_SETTING} must be a comma-separated list of variable names, each optionally ending in * (got "${entry}")`,
      );
    } else {
      const own = ownSettingsCoveredBy(entry);
      if (own === undefined) patterns.push(entry);
      else problems.push(`${API_VARIABLES_SETTING} must not expose Hookflow's own settings: "${entry}" covers ${own}`);
    }
  }
  return { patterns, problems };
}

/** Whether `${name}` may be named by a definition written through the admin API, given the patterns of HOOKFLOW_API_VARIABLES. */
export function isExposedToApi(name: string, patterns: readonly string[]): boolean {
  if (isHookflowSetting(name)) return false;
  return patterns.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}

/**
 * Why a definition written through the admin API may not name `${name}`, in words that name the
 * variable and the setting; undefined when it may.
 */
export function apiVariableRefusal(name: string, patterns: readonly string[]): string | undefined {
  if (isExposedToApi(name, patterns)) return undefined;
  if (isHookflowSetting(name)) return `variable \${${name}} is one of Hookflow's own settings, which the admin API never resolves`;
  return `variable \${${name}} is not exposed to the admin API: an operator may list it in ${API_VARIABLES_SETTING}`;
}

/** The first of Hookflow's own settings (or prefixes) that a pattern names or could match, as written for a message. */
function ownSettingsCoveredBy(pattern: string): string | undefined {
  const upper = pattern.toUpperCase();
  if (!upper.endsWith('*')) return isHookflowSetting(upper) ? upper : undefined;
  const prefix = upper.slice(0, -1);
  const ownPrefix = OWN_PREFIXES.find((own) => own.startsWith(prefix) || prefix.startsWith(own));
  if (ownPrefix !== undefined) return `${ownPrefix}*`;
  return OWN_SETTINGS.find((own) => own.startsWith(prefix));
}
