/** POSIX single-quote quoting: the only safe way to put a value into a remote shell command. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return "'" + value.replace(/'/g, `'\\''`) + "'";
}
