/** An address of an email step that fails the simple check below. */
export class InvalidAddressError extends Error {}

// Deliberately simpler than RFC 5322: one `@`, no whitespace, and none of the characters that
// would make a header hold several addresses or a quoted local part (`<>",;:`). That refuses a
// few exotic but valid addresses and catches what templates get wrong: an empty render, a missing
// `@`, two addresses in one string, a stray newline.
const ADDR_SPEC = /^[^\s@<>",;:]+@[^\s@<>",;:]+$/;
const NAME_ADDR = /^([^<>\r\n]*)<([^<>]*)>$/;

/**
 * Whether `text` is one address: `local@domain`, or `Name <local@domain>` whose name has no angle
 * brackets or line breaks (nodemailer quotes and encodes the name when it writes the header).
 */
export function isMailbox(text: string): boolean {
  const named = NAME_ADDR.exec(text.trim());
  return ADDR_SPEC.test(named ? (named[2] ?? '') : text.trim());
}

/**
 * Reads a rendered address field: one address or a list of them. Empty strings and nulls in a
 * list are dropped (a template that rendered nothing); what is left must all pass {@link isMailbox}.
 * Throws {@link InvalidAddressError} naming the field and the first bad value.
 */
export function readAddresses(field: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  const addresses: string[] = [];
  for (const item of items) {
    if (item === null || item === undefined || item === '') continue;
    if (typeof item !== 'string' || !isMailbox(item)) {
      throw new InvalidAddressError(`${field}: ${JSON.stringify(item)} is not an address such as someone@example.com`);
    }
    addresses.push(item.trim());
  }
  return addresses;
}
