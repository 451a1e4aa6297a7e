import { ExpressionContext, ExpressionEvaluationError, ExpressionSyntaxError } from './expression';
import { compileTemplate } from './template';

const context: ExpressionContext = {
  event: { id: 'evt_1', type: 'order.created', source: 'shop', receivedAt: '2026-01-01T00:00:00.000Z', headers: {} },
  payload: { id: 'ord_7', total: 120.5, customer: { name: 'Zoë' }, tags: ['vip', 'eu'], zero: 0, nothing: null },
};

function render(value: unknown): Promise<unknown> {
  return compileTemplate(value).render(context);
}

describe('compileTemplate', () => {
  it('keeps the type of a lone placeholder', async () => {
    expect(await render('{{ payload.total }}')).toBe(120.5);
    expect(await render('{{payload.customer}}')).toEqual({ name: 'Zoë' });
    expect(await render('{{ payload.tags }}')).toEqual(['vip', 'eu']);
    expect(await render('{{ payload.zero }}')).toBe(0);
    expect(await render('{{ payload.nothing }}')).toBeNull();
    expect(await render('{{ payload.total > 100 }}')).toBe(true);
  });

  it('gives undefined for a lone placeholder that matches nothing', async () => {
    expect(await render('{{ payload.missing }}')).toBeUndefined();
  });

  it('joins text and placeholders as a string', async () => {
    expect(await render('Order {{ payload.id }} for {{ payload.customer.name }}: {{ payload.total }}')).toBe('Order ord_7 for Zoë: 120.5');
  });

  it('writes objects and arrays inside text as JSON', async () => {
    expect(await render('customer={{ payload.customer }} tags={{ payload.tags }}')).toBe('customer={"name":"Zoë"} tags=["vip","eu"]');
  });

  it('writes nothing for undefined or null inside text', async () => {
    expect(await render('[{{ payload.missing }}][{{ payload.nothing }}][{{ payload.zero }}]')).toBe('[][][0]');
  });

  it('treats two adjacent placeholders as text, not one expression', async () => {
    expect(await render('{{ payload.id }}{{ payload.zero }}')).toBe('ord_70');
  });

  it('returns text without placeholders unchanged', async () => {
    expect(await render('no placeholders, just { braces }')).toBe('no placeholders, just { braces }');
  });

  it('renders objects and arrays leaf by leaf', async () => {
    const template = {
      text: 'Order {{ payload.id }}',
      total: '{{ payload.total }}',
      nested: { tags: ['first: {{ payload.tags[0] }}', '{{ payload.tags }}'] },
    };

    expect(await render(template)).toEqual({
      text: 'Order ord_7',
      total: 120.5,
      nested: { tags: ['first: vip', ['vip', 'eu']] },
    });
  });

  it('returns non-string leaves unchanged', async () => {
    expect(await render(7)).toBe(7);
    expect(await render(false)).toBe(false);
    expect(await render(null)).toBeNull();
    expect(await render({ count: 3, on: true, none: null, list: [1, 'x'] })).toEqual({ count: 3, on: true, none: null, list: [1, 'x'] });
  });

  it('rejects a placeholder that does not parse, naming the expression and position', () => {
    let error: unknown;
    try {
      compileTemplate({ body: { text: 'Total: {{ payload.total + }}' } });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    expect((error as ExpressionSyntaxError).expression).toBe('payload.total +');
    expect((error as ExpressionSyntaxError).position).toBe(15);
  });

  it('rejects a runaway expression within its limits', async () => {
    const template = compileTemplate('n={{ ($f := function($n){ $f($n + 1) }; $f(0)) }}', { timeoutMs: 50, maxDepth: 100 });

    await expect(template.render(context)).rejects.toBeInstanceOf(ExpressionEvaluationError);
  });
});
