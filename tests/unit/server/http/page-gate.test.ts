import { describe, expect, it } from 'vitest';
import { gatePage, needsSession } from '../../../../server/http/page-gate.ts';

describe('gatePage', () => {
  it('sends signed-out visitors of app pages to sign-in, remembering where they were going', () => {
    expect(gatePage('/dashboard', false, '')).toEqual({ redirect: '/sign-in?next=%2Fdashboard' });
    expect(gatePage('/account', false, '?tab=1')).toEqual({ redirect: '/sign-in?next=%2Faccount%3Ftab%3D1' });
    expect(gatePage('/alerts/abc', false, '')).toEqual({ redirect: '/sign-in?next=%2Falerts%2Fabc' });
  });

  it('lets signed-in visitors through and keeps them off the guest pages', () => {
    expect(gatePage('/dashboard', true, '')).toEqual({ pass: true });
    expect(gatePage('/sign-in', true, '')).toEqual({ redirect: '/dashboard' });
    expect(gatePage('/sign-up', false, '')).toEqual({ pass: true });
  });

  it('routes the root by session', () => {
    expect(gatePage('/', true, '')).toEqual({ redirect: '/dashboard' });
    expect(gatePage('/', false, '')).toEqual({ redirect: '/sign-in' });
  });

  it('does not mistake a path that only starts like an app page', () => {
    expect(needsSession('/dashboards')).toBe(false);
    expect(needsSession('/_next/static/chunk.js')).toBe(false);
    expect(needsSession('/inbox')).toBe(true);
  });
});
