import { describe, expect, it } from 'vitest';
import { firstAddressOf } from '../../../shared/validation/ip';

describe('firstAddressOf: the kubernetes Service address of a service CIDR', () => {
  it('is the address after the network address, carrying across octets', () => {
    expect(firstAddressOf('10.96.0.0/12')).toBe('10.96.0.1');
    expect(firstAddressOf('172.20.0.0/16')).toBe('172.20.0.1');
    expect(firstAddressOf('fd00:10:96::/112')).toBe('fd00:10:96::1');
  });
  it('normalizes host bits away first, and refuses what is not a CIDR', () => {
    expect(firstAddressOf('10.96.5.7/12')).toBe('10.96.0.1');
    expect(firstAddressOf('10.96.0.0')).toBeUndefined();
    expect(firstAddressOf('10.96.0.0/33')).toBeUndefined();
  });
});
