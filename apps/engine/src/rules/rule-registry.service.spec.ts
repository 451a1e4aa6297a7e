import { loadConfig } from '@hookflow/config';
import { ActiveRuleVersion, CatalogRepository, RuleVersionEntity } from '@hookflow/persistence';
import { RuleRegistry } from './rule-registry.service';

/** An in-memory catalog: the registry's behaviour, not PostgreSQL's, is under test here. */
class FakeCatalog {
  active: ActiveRuleVersion[] = [];
  reads = 0;
  activeRuleVersions(): Promise<ActiveRuleVersion[]> {
    return Promise.resolve(this.active);
  }
  ruleVersion(ruleId: string, version: number): Promise<Pick<RuleVersionEntity, 'definition'> | null> {
    this.reads += 1;
    return Promise.resolve({ definition: definition(ruleId, `v${version}`) });
  }
  catalogStamp(): Promise<string> {
    return Promise.resolve(String(this.active.length));
  }
}

function definition(id: string, tag: string, source = 'shop'): Record<string, unknown> {
  return { id, source, steps: [{ id: 'copy', type: 'transform', expression: `"${tag}"` }] };
}

function activeRules(count: number, version = 1): ActiveRuleVersion[] {
  return Array.from({ length: count }, (_, index) => ({
    ruleId: `r${index}`,
    version,
    sourceId: index % 2 === 0 ? 'shop' : '*',
    definition: definition(`r${index}`, `v${version}`, index % 2 === 0 ? 'shop' : '*'),
  }));
}

describe('RuleRegistry', () => {
  let catalog: FakeCatalog;
  let registry: RuleRegistry;

  beforeEach(() => {
    catalog = new FakeCatalog();
    registry = new RuleRegistry(loadConfig({ NODE_ENV: 'test' }), catalog as unknown as CatalogRepository);
  });

  it("lists a source's own rules with the `*` ones, and only the `*` ones for another source", async () => {
    catalog.active = activeRules(4);
    await registry.reload();

    expect(registry.rulesFor('shop').map((rule) => rule.id)).toEqual(['r0', 'r2', 'r1', 'r3']);
    expect(registry.rulesFor('billing').map((rule) => rule.id)).toEqual(['r1', 'r3']);
  });

  it("gives Hookflow's own events to the rules that name `hookflow` only, never to the `*` ones", async () => {
    catalog.active = activeRules(2);
    expect(registry.hasSystemRules()).toBe(false);
    await registry.reload();
    expect(registry.rulesFor('hookflow')).toEqual([]);
    expect(registry.hasSystemRules()).toBe(false);

    const alert = { ruleId: 'alert', version: 1, sourceId: 'hookflow', definition: definition('alert', 'v1', 'hookflow') };
    catalog.active = [...activeRules(2), alert];
    await registry.reload();

    expect(registry.rulesFor('hookflow').map((rule) => rule.id)).toEqual(['alert']);
    expect(registry.rulesFor('shop').map((rule) => rule.id)).toEqual(['r0', 'r1']);
    expect(registry.hasSystemRules()).toBe(true);
  });

  it('keeps every active version compiled, however many rules there are, without reading them again', async () => {
    catalog.active = activeRules(1_500);
    await registry.reload();

    for (const { ruleId } of catalog.active) expect(await registry.version(ruleId, 1)).toBeDefined();
    expect(catalog.reads).toBe(0);
  });

  it('reuses compiled versions across reloads and keeps a replaced version for runs that still retry', async () => {
    catalog.active = activeRules(2);
    await registry.reload();
    const first = await registry.version('r0', 1);

    catalog.active = [...activeRules(1, 2), ...activeRules(2).slice(1)];
    await registry.reload();

    expect(await registry.version('r1', 1)).toBe(registry.rulesFor('shop').find((rule) => rule.id === 'r1'));
    expect(await registry.version('r0', 1)).toBe(first);
    expect((await registry.version('r0', 2))?.version).toBe(2);
    expect(catalog.reads).toBe(0);
  });
});
