import { readFileSync } from 'node:fs';

type Env = Record<string, string | undefined>;

/** The key that seals stored secrets, and whether it is the development default (never in production). */
export interface MasterKeySettings {
  masterKey: string;
  masterKeyIsDevelopmentDefault: boolean;
}

/** Used only outside production so `npm start` works out of the box; production refuses it. */
const DEVELOPMENT_MASTER_KEY = 'hookflow-development-master-key-do-not-use-in-prod';
/**
 * Keys anyone can read in this repository: the development default and the placeholder that
 * docker-compose.yml once shipped. Production refuses them as it refuses a missing key.
 */
const PUBLIC_MASTER_KEYS = [DEVELOPMENT_MASTER_KEY, 'change-me-to-a-random-32+-character-secret'];
const MIN_LENGTH = 32;

/**
 * Reads the master key from HOOKFLOW_MASTER_KEY, or from the file named by
 * HOOKFLOW_MASTER_KEY_FILE (the Docker secrets convention; surrounding whitespace such as a final
 * newline is ignored). The two are mutually exclusive. Problems are pushed to `problems`, one line
 * each, never with the key in them.
 */
export function readMasterKey(env: Env, production: boolean, problems: string[]): MasterKeySettings {
  const given = env.HOOKFLOW_MASTER_KEY ?? '';
  const file = env.HOOKFLOW_MASTER_KEY_FILE ?? '';
  if (given !== '' && file !== '') {
    problems.push('HOOKFLOW_MASTER_KEY and HOOKFLOW_MASTER_KEY_FILE are both set: set only one of them');
    return { masterKey: DEVELOPMENT_MASTER_KEY, masterKeyIsDevelopmentDefault: true };
  }
  const [key, origin] =
    file === '' ? [given, 'HOOKFLOW_MASTER_KEY'] : [readKeyFile(file, problems), `the key in HOOKFLOW_MASTER_KEY_FILE (${file})`];
  if (key === undefined) return { masterKey: DEVELOPMENT_MASTER_KEY, masterKeyIsDevelopmentDefault: true };
  if (key === '') {
    if (production) {
      problems.push('HOOKFLOW_MASTER_KEY or HOOKFLOW_MASTER_KEY_FILE must be set in production (a key of at least 32 characters)');
    }
    return { masterKey: DEVELOPMENT_MASTER_KEY, masterKeyIsDevelopmentDefault: true };
  }
  if (key.length < MIN_LENGTH) {
    problems.push(`${origin} must be at least ${MIN_LENGTH} characters long`);
  } else if (production && PUBLIC_MASTER_KEYS.includes(key)) {
    problems.push(`${origin} is a published example key, refused in production: use a random one (\`hookflow keygen\` prints one)`);
  }
  return { masterKey: key, masterKeyIsDevelopmentDefault: false };
}

/** The trimmed content of a key file; undefined (and a problem) when it cannot be read or is empty. */
function readKeyFile(path: string, problems: string[]): string | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    problems.push(`HOOKFLOW_MASTER_KEY_FILE names a file that cannot be read (${code}): ${path}`);
    return undefined;
  }
  const key = content.trim();
  if (key === '') problems.push(`HOOKFLOW_MASTER_KEY_FILE names an empty file: ${path}`);
  return key === '' ? undefined : key;
}
