/**
 * Text for a terminal: control characters other than newline and tab (ESC above all — it starts
 * the escape sequences that recolour, retitle or rewrite a terminal), DEL, C1 controls, Unicode
 * line separators and bidi overrides are shown as `\u{1b}` instead of being sent raw. Project
 * values, file names and parser messages all reach the CLI's output through here.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
