import { apiVariableRefusal, isExposedToApi, isHookflowSetting } from './api-variables';

describe('variables exposed to the admin API', () => {
  const patterns = ['SHOP_*', 'RECEIVER_URL'];

  it('exposes the names listed and those starting with a listed prefix, case-sensitively', () => {
    expect(isExposedToApi('RECEIVER_URL', patterns)).toBe(true);
    expect(isExposedToApi('SHOP_TOKEN', patterns)).toBe(true);
    expect(isExposedToApi('SHOP_', patterns)).toBe(true);
    expect(isExposedToApi('RECEIVER_URL_2', patterns)).toBe(false);
    expect(isExposedToApi('receiver_url', patterns)).toBe(false);
    expect(isExposedToApi('SHOPPING', patterns)).toBe(false);
    expect(isExposedToApi('PATH', patterns)).toBe(false);
  });

  it("never exposes Hookflow's own settings, whatever the patterns say", () => {
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'HOOKFLOW_MASTER_KEY',
      'HOOKFLOW_MASTER_KEY_FILE',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'PGPASSWORD',
    ]) {
      expect(isHookflowSetting(name)).toBe(true);
      expect(isExposedToApi(name, [name, `${name.slice(0, 3)}*`])).toBe(false);
    }
    expect(isHookflowSetting('SHOP_TOKEN')).toBe(false);
  });

  it('says why a variable is refused, naming it and the setting', () => {
    expect(apiVariableRefusal('SHOP_TOKEN', patterns)).toBeUndefined();
    expect(apiVariableRefusal('AWS_SECRET_ACCESS_KEY', patterns)).toBe(
      'variable ${AWS_SECRET_ACCESS_KEY} is not exposed to the admin API: an operator may list it in HOOKFLOW_API_VARIABLES',
    );
    expect(apiVariableRefusal('HOOKFLOW_MASTER_KEY', patterns)).toBe(
      "variable ${HOOKFLOW_MASTER_KEY} is one of Hookflow's own settings, which the admin API never resolves",
    );
  });
});
