import { describe, expect, it } from 'vitest';
import { decodeSessionUser, encodeSessionUser } from '../../../lib/session-header.ts';

describe('session user header', () => {
  it('round-trips a user, unicode included', () => {
    const user = { id: 'u1', email: 'zoë@example.com', name: 'Zoë <b>' };
    expect(decodeSessionUser(encodeSessionUser(user))).toEqual(user);
  });

  it('reads garbage as nobody', () => {
    expect(decodeSessionUser(undefined)).toBeNull();
    expect(decodeSessionUser('not base64 json')).toBeNull();
    expect(decodeSessionUser(Buffer.from('{"id":1}').toString('base64url'))).toBeNull();
  });
});
