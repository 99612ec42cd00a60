/**
 * Puts `text` on the clipboard from a click. The page's own copy event needs no clipboard
 * permission (Electron grants none; see main/electron/policy.ts); the async Clipboard API is the
 * fallback where execCommand is refused.
 */
export async function copyText(text: string): Promise<void> {
  let copied = false;
  const onCopy = (event: ClipboardEvent) => {
    event.clipboardData?.setData('text/plain', text);
    event.preventDefault();
    copied = event.clipboardData !== null;
  };
  document.addEventListener('copy', onCopy);
  try {
    document.execCommand('copy');
  } finally {
    document.removeEventListener('copy', onCopy);
  }
  if (!copied) await navigator.clipboard.writeText(text);
}

/** Offers `bytes` as a file download (browser mode cannot reach the server's disk). */
export function download(bytes: Uint8Array, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started by now; the URL only needs to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
