/** A scrape of an app's /metrics, read the way Prometheus would. */
export interface Scrape {
  contentType: string | null;
  text: string;
  /** The value of one series (`name{label="value",…}` exactly as exposed), or undefined when absent. */
  value(series: string): number | undefined;
}

export async function scrapeMetrics(appUrl: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(`${appUrl}/metrics`, { headers });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  return {
    contentType: response.headers.get('content-type'),
    text,
    value: (series) => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    },
  };
}
