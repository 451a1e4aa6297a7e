/**
 * Deep links into the console (apps/console/src/app.tsx routes) from HOOKFLOW_CONSOLE_URL, for
 * alerts: an operator goes from the message to the run, rule or source it is about.
 */
export class ConsoleLinks {
  constructor(private readonly base: string) {}

  run(runId: string): string {
    return this.at('runs', runId);
  }

  rule(ruleId: string): string {
    return this.at('rules', ruleId);
  }

  source(sourceId: string): string {
    return this.at('sources', sourceId);
  }

  /** The overview: what is failing and waiting right now (a destination's circuit has no page of its own). */
  overview(): string {
    return `${this.base}/`;
  }

  private at(section: string, id: string): string {
    return `${this.base}/${section}/${encodeURIComponent(id)}`;
  }
}
