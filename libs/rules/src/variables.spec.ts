import { requiredVariables, substituteVariables, variableReferences } from './variables';

describe('substituteVariables', () => {
  it('replaces ${VAR} with its value', () => {
    expect(substituteVariables('Bearer ${TOKEN}', { TOKEN: 'abc' })).toBe('Bearer abc');
  });

  it('replaces several references in one string', () => {
    expect(substituteVariables('${SCHEME}://${HOST}:${PORT}/', { SCHEME: 'https', HOST: 'example.com', PORT: '8443' })).toBe(
      'https://example.com:8443/',
    );
  });

  it('uses the fallback of ${VAR:-fallback} when the variable is unset', () => {
    expect(substituteVariables('${URL:-http://127.0.0.1:4000/x}', {})).toBe('http://127.0.0.1:4000/x');
  });

  it('uses the fallback when the variable is empty', () => {
    expect(substituteVariables('${URL:-http://fallback}', { URL: '' })).toBe('http://fallback');
  });

  it('prefers a set variable over its fallback', () => {
    expect(substituteVariables('${URL:-http://fallback}', { URL: 'http://set' })).toBe('http://set');
  });

  it('accepts an empty fallback', () => {
    expect(substituteVariables('[${SUFFIX:-}]', {})).toBe('[]');
  });

  it('keeps an empty value when there is no fallback', () => {
    const missing: string[] = [];

    expect(substituteVariables('[${EMPTY}]', { EMPTY: '' }, (name) => missing.push(name))).toBe('[]');
    expect(missing).toEqual([]);
  });

  it('reports unset variables without a fallback and leaves them as written', () => {
    const missing: string[] = [];
    const result = substituteVariables('${A}-${B}-${C:-c}', { B: 'b' }, (name) => missing.push(name));

    expect(result).toBe('${A}-b-c');
    expect(missing).toEqual(['A']);
  });

  it('leaves text that only resembles a reference alone', () => {
    expect(substituteVariables('$HOME ${1ABC} ${} {{ $x }}', { HOME: 'h', '1ABC': 'no' })).toBe('$HOME ${1ABC} ${} {{ $x }}');
  });

  it('substitutes in every string of nested objects and arrays', () => {
    const value = {
      url: '${BASE}/hooks',
      headers: { authorization: 'Bearer ${TOKEN}' },
      secrets: ['${OLD}', '${NEW:-new}'],
      attempts: 3,
      enabled: true,
      body: null,
    };

    expect(substituteVariables(value, { BASE: 'https://x', TOKEN: 't', OLD: 'o' })).toEqual({
      url: 'https://x/hooks',
      headers: { authorization: 'Bearer t' },
      secrets: ['o', 'new'],
      attempts: 3,
      enabled: true,
      body: null,
    });
  });

  it('does not change the value it was given', () => {
    const value = { url: '${BASE}' };
    substituteVariables(value, { BASE: 'https://x' });

    expect(value).toEqual({ url: '${BASE}' });
  });
});

describe('requiredVariables', () => {
  it('names the references without a fallback, in order', () => {
    expect(requiredVariables('${A} ${B:-b} ${C} ${D:-}')).toEqual(['A', 'C']);
  });

  it('finds nothing in text without references', () => {
    expect(requiredVariables('plain $TEXT')).toEqual([]);
  });
});

describe('variableReferences', () => {
  it('finds every reference in the strings of a value, with the path of its string, keys left alone', () => {
    const value = {
      url: '${BASE}/hooks/${PATH:-x}',
      headers: { '${NOT_A_VALUE}': 'Bearer ${TOKEN}' },
      steps: [{ note: 'plain' }, { note: ['${MISSING}'] }],
      count: 3,
    };

    expect(variableReferences(value)).toEqual([
      { name: 'BASE', path: ['url'] },
      { name: 'PATH', path: ['url'] },
      { name: 'TOKEN', path: ['headers', '${NOT_A_VALUE}'] },
      { name: 'MISSING', path: ['steps', 1, 'note', 0] },
    ]);
  });
});
