import { randomBytes } from 'node:crypto';
import type { HostKeyInfo } from './errors';

/** How long the user has to compare a fingerprint and press Accept. */
export const OFFER_TTL_MS = 10 * 60_000;
/** Offers kept at once per client; the oldest goes first (a client looping on unknown hosts). */
const MAX_OFFERS = 64;

interface Offer {
  key: HostKeyInfo;
  expiresAt: number;
}

/**
 * Host keys that servers really presented, waiting for the user's yes. A HOST_KEY_UNKNOWN
 * error carries a token for its key; accepting means sending the token back, never a host or
 * a key: a client cannot make Keelson trust a key no server showed, for a host that did not
 * show it (or write `*` or a second line into known_hosts). A token is single-use, expires,
 * and works only for the client connection it was given to.
 */
export class HostKeyOffers {
  private readonly byOwner = new WeakMap<object, Map<string, Offer>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Keeps the presented key for `owner` (one client connection) and returns its token. */
  offer(owner: object, key: HostKeyInfo): string {
    let offers = this.byOwner.get(owner);
    if (!offers) this.byOwner.set(owner, (offers = new Map()));
    this.prune(offers);
    while (offers.size >= MAX_OFFERS) offers.delete(offers.keys().next().value!);
    const token = randomBytes(32).toString('base64url');
    offers.set(token, { key: { ...key }, expiresAt: this.now() + OFFER_TTL_MS });
    return token;
  }

  /** The key behind a token, once: undefined if unknown, expired, used or another client's. */
  take(owner: object, token: string): HostKeyInfo | undefined {
    const offers = this.byOwner.get(owner);
    if (!offers) return undefined;
    this.prune(offers);
    const offer = offers.get(token);
    offers.delete(token);
    return offer?.key;
  }

  private prune(offers: Map<string, Offer>): void {
    const now = this.now();
    for (const [token, offer] of offers) if (offer.expiresAt <= now) offers.delete(token);
  }
}
