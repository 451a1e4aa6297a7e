import { FaultWorld } from './fault-world';

/** Runs an engine is executing now (status `running`). */
export async function runsInFlight(world: FaultWorld): Promise<number> {
  const [row] = await world.query<{ count: number }>(`SELECT count(*)::int AS count FROM runs WHERE status = 'running'`);
  return row?.count ?? 0;
}
