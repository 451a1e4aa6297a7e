import { BatcherFullError, MicroBatcher } from './micro-batcher';

/** A batch runner whose batches finish only when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish(): void; fail(error: Error): void }[] = [];
  const run = (items: number[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      batches.push({ items, finish: () => resolve(items.map((item) => `r${item}`)), fail: reject });
    });
  return { batches, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('runs a submission at once, alone, when a slot is free', async () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 10, maxConcurrent: 1, maxPending: 100 });
    const answer = batcher.submit([1, 2]);
    expect(batches.map((batch) => batch.items)).toEqual([[1, 2]]);
    batches[0]?.finish();
    await expect(answer).resolves.toEqual(['r1', 'r2']);
  });

  it('groups the submissions that arrive while every slot is busy, and answers each with its own results', async () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 10, maxConcurrent: 1, maxPending: 100 });
    const first = batcher.submit([1]);
    const second = batcher.submit([2, 3]);
    const third = batcher.submit([4]);
    expect(batches).toHaveLength(1);
    expect(batcher.pending).toBe(3);
    batches[0]?.finish();
    await first;
    await settle();
    expect(batches.map((batch) => batch.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]?.finish();
    await expect(second).resolves.toEqual(['r2', 'r3']);
    await expect(third).resolves.toEqual(['r4']);
  });

  it('keeps batches within maxBatch, but never splits one submission', async () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 3, maxConcurrent: 1, maxPending: 100 });
    const answers = [batcher.submit([0]), batcher.submit([1, 2]), batcher.submit([3, 4]), batcher.submit([5, 6, 7, 8])];
    for (let index = 0; index < 4; index += 1) {
      batches[index]?.finish();
      await settle();
    }
    expect(batches.map((batch) => batch.items)).toEqual([[0], [1, 2], [3, 4], [5, 6, 7, 8]]);
    await Promise.all(answers);
  });

  it('runs up to maxConcurrent batches at once', () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 10, maxConcurrent: 2, maxPending: 100 });
    void batcher.submit([1]);
    void batcher.submit([2]);
    void batcher.submit([3]);
    expect(batches.map((batch) => batch.items)).toEqual([[1], [2]]);
    expect(batcher.pending).toBe(1);
  });

  it('retries each submission of a failed batch on its own, so one bad submission fails alone', async () => {
    const seen: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      run: (items) => {
        seen.push(items);
        return items.includes(13) ? Promise.reject(new Error('bad row 13')) : Promise.resolve(items.map((item) => item * 2));
      },
      maxBatch: 10,
      maxConcurrent: 1,
      maxPending: 100,
      retrySeparately: () => true,
    });
    const blocker = batcher.submit([0]); // occupies the slot, so the next three form one batch
    const good = batcher.submit([1]);
    const bad = batcher.submit([13]);
    const alsoGood = batcher.submit([2]);
    await blocker;
    await expect(good).resolves.toEqual([2]);
    await expect(bad).rejects.toThrow('bad row 13');
    await expect(alsoGood).resolves.toEqual([4]);
    expect(seen).toEqual([[0], [1, 13, 2], [1], [13], [2]]);
  });

  it('fails the whole batch at once when the error concerns everyone', async () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 10, maxConcurrent: 1, maxPending: 100, retrySeparately: () => false });
    const blocker = batcher.submit([0]);
    const answers = [batcher.submit([1]), batcher.submit([2])];
    batches[0]?.finish();
    await blocker;
    await settle();
    batches[1]?.fail(new Error('database away'));
    for (const answer of answers) await expect(answer).rejects.toThrow('database away');
    expect(batches).toHaveLength(2);
  });

  it('refuses submissions past maxPending instead of holding them (back-pressure)', async () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 10, maxConcurrent: 1, maxPending: 2 });
    void batcher.submit([0]);
    void batcher.submit([1, 2]);
    await expect(batcher.submit([3])).rejects.toBeInstanceOf(BatcherFullError);
    batches[0]?.finish();
    await settle();
    expect(batcher.pending).toBe(0);
  });

  it('reports drained once nothing is waiting or in flight', async () => {
    const { batches, run } = controlledRunner();
    const batcher = new MicroBatcher({ run, maxBatch: 10, maxConcurrent: 1, maxPending: 100 });
    await batcher.drained();
    void batcher.submit([1]);
    void batcher.submit([2]);
    let drained = false;
    void batcher.drained().then(() => (drained = true));
    batches[0]?.finish();
    await settle();
    expect(drained).toBe(false);
    batches[1]?.finish();
    await settle();
    expect(drained).toBe(true);
  });
});
