import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** The terminal shown in the Terminals panel. */
export const terminalView = (app: Page): Locator => app.getByTestId('terminal-view');

/** The terminal's screen, row by row, as a person reads it (xterm's DOM renderer draws one div a row). */
export async function screenLines(app: Page): Promise<string[]> {
  const rows = await terminalView(app).locator('.xterm-rows > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
}

/** Types a command line into the focused terminal, as keystrokes. */
export async function typeLine(app: Page, line: string): Promise<void> {
  await terminalView(app).locator('.xterm-screen').click();
  await app.keyboard.type(line);
  await app.keyboard.press('Enter');
}

/** Waits until a screen row matches `pattern` exactly; returns the last such row's match. */
export async function waitForLine(app: Page, pattern: RegExp, timeout = 20_000): Promise<RegExpExecArray> {
  let found: RegExpExecArray | undefined;
  await expect
    .poll(
      async () => {
        const lines = await screenLines(app);
        found = undefined;
        for (const line of lines) {
          const m = pattern.exec(line);
          if (m) found = m;
        }
        return found !== undefined;
      },
      { timeout, message: `a terminal row matching ${pattern}` },
    )
    .toBe(true);
  return found!;
}

let asked = 0;

/** Runs `stty size` and returns what the shell says its size is (each answer numbered, so an old one never counts). */
export async function sttySize(app: Page): Promise<{ rows: number; cols: number }> {
  const n = ++asked;
  await typeLine(app, `clear; echo "size${n}=$(stty size)"`);
  const m = await waitForLine(app, new RegExp(`^size${n}=(\\d+) (\\d+)$`));
  return { rows: Number(m[1]), cols: Number(m[2]) };
}

/** The size the terminal view says it has (what xterm fitted to the panel). */
export async function viewSize(app: Page): Promise<{ rows: number; cols: number }> {
  const view = terminalView(app);
  return {
    rows: Number(await view.getAttribute('data-rows')),
    cols: Number(await view.getAttribute('data-cols')),
  };
}
