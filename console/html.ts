/**
 * HTML that is already safe to send: produced by {@link html} (whose interpolations were
 * escaped) or by {@link raw} for our own constant markup. Anything else is text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes text for an element body or a quoted attribute value. Every string that came from a
 * span (model, tool, user, error message, content) is attacker-controlled and goes through this.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** An interpolated value: SafeHtml as is, arrays joined, null/undefined/false as nothing. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template: the literal parts are our markup, every `${value}` is escaped unless it is
 * SafeHtml (a nested html`` fragment). Attribute values must be quoted in the template.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Our own constant markup (never data). */
export const raw = (markup: string) => new SafeHtml(markup);

/**
 * JSON for a `<script type="application/json">` block: `<` is written as \u003c so no value can
 * close the element, and the page's script reads it with JSON.parse (never executed).
 */
export function jsonScript(id: string, data: unknown): SafeHtml {
  const text = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return new SafeHtml(`<script type="application/json" id="${escapeHtml(id)}">${text}</script>`);
}
