import { describe, expect, it } from 'vitest';
import { resumeTarget, transition } from './lifecycle.ts';

const marketer = { approvalRequired: true, canApprove: false };
const admin = { approvalRequired: true, canApprove: true };
const free = { approvalRequired: false, canApprove: false };

describe('approval', () => {
  it('makes a marketer wait for an admin when the tenant requires approval', () => {
    expect(transition('draft', 'submit', marketer)).toEqual({ ok: true, to: 'pending_approval', approved: false });
    expect(transition('pending_approval', 'approve', marketer)).toEqual({ ok: false, message: 'only an admin or owner approves campaigns' });
    expect(transition('pending_approval', 'approve', admin)).toEqual({ ok: true, to: 'scheduled', approved: true });
    expect(transition('pending_approval', 'reject', admin)).toEqual({ ok: true, to: 'draft', approved: false });
  });

  it('lets an admin submit and approve at once, and anybody submit without the setting', () => {
    expect(transition('draft', 'submit', admin)).toEqual({ ok: true, to: 'scheduled', approved: true });
    expect(transition('draft', 'submit', free)).toEqual({ ok: true, to: 'scheduled', approved: false });
  });

  it('withdraws a submitted or approved campaign when it is edited', () => {
    expect(transition('pending_approval', 'edit', marketer)).toMatchObject({ ok: true, to: 'draft' });
    expect(transition('scheduled', 'edit', marketer)).toMatchObject({ ok: true, to: 'draft' });
    expect(transition('running', 'edit', admin)).toMatchObject({ ok: false });
  });
});

describe('pause, resume, cancel', () => {
  it('pauses what has not finished, and resumes where it was', () => {
    for (const status of ['scheduled', 'running', 'testing'] as const) expect(transition(status, 'pause', free)).toMatchObject({ ok: true, to: 'paused' });
    expect(transition('completed', 'pause', free)).toMatchObject({ ok: false });
    expect(transition('paused', 'resume', { ...free, resumeTo: 'testing' })).toMatchObject({ ok: true, to: 'testing' });
    expect(resumeTarget({ startedAt: null, phase: null, winnerVariant: null })).toBe('scheduled');
    expect(resumeTarget({ startedAt: new Date(), phase: 'test', winnerVariant: null })).toBe('testing');
    expect(resumeTarget({ startedAt: new Date(), phase: 'winner', winnerVariant: 'B' })).toBe('running');
  });

  it('cancels anything started or waiting, never what ended', () => {
    for (const status of ['pending_approval', 'scheduled', 'running', 'testing', 'paused'] as const) expect(transition(status, 'cancel', free)).toMatchObject({ ok: true, to: 'cancelled' });
    for (const status of ['draft', 'completed', 'cancelled'] as const) expect(transition(status, 'cancel', free)).toMatchObject({ ok: false });
    expect(transition('scheduled', 'delete', free)).toMatchObject({ ok: false });
    expect(transition('draft', 'delete', free)).toMatchObject({ ok: true });
  });
});
