const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML (and SVG) element content and quoted attribute values. Every string that
 * came from a store, a host or a file goes through here: a subject of `<script>…` shows as text.
 *
 * @example
 * escapeHtml('CN=<script>alert(1)</script>'); // 'CN=&lt;script&gt;alert(1)&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
