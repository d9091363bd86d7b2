import { describe, expect, it } from 'vitest';
import { ModelQueue } from '@/lib/chat/model-queue';

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('model queue', () => {
  it('runs one job at a time and lets an urgent job go before waiting background ones', async () => {
    const queue = new ModelQueue();
    const order: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const job = (name: string) => async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      order.push(`start ${name}`);
      await tick();
      order.push(`end ${name}`);
      concurrent--;
      return name;
    };
    const background = ['b1', 'b2', 'b3'].map((name) => queue.run(job(name), 'background'));
    await tick(1);
    const urgent = queue.run(job('u'), 'urgent');
    expect(await urgent).toBe('u');
    expect(await Promise.all(background)).toEqual(['b1', 'b2', 'b3']);
    expect(maxConcurrent).toBe(1);
    expect(order).toEqual(['start b1', 'end b1', 'start u', 'end u', 'start b2', 'end b2', 'start b3', 'end b3']);
  });

  it('keeps going after a job fails', async () => {
    const queue = new ModelQueue();
    await expect(queue.run(async () => Promise.reject(new Error('boom')), 'urgent')).rejects.toThrow('boom');
    expect(await queue.run(async () => 7, 'background')).toBe(7);
  });

  it('drops work whose signal is aborted while it waits, rejecting with the reason, and never interrupts running work', async () => {
    const queue = new ModelQueue();
    const ran: string[] = [];
    const job = (name: string) => async () => {
      ran.push(name);
      await tick();
      return name;
    };
    const abort = new AbortController();
    const running = queue.run(job('running'), 'background', abort.signal);
    const waiting = queue.run(job('waiting'), 'background', abort.signal);
    const other = queue.run(job('other'), 'background');
    await tick(1);
    const reason = new DOMException('cancelled', 'AbortError');
    abort.abort(reason);
    // Rejected at once, not when its turn would have come.
    await expect(waiting).rejects.toBe(reason);
    expect(ran).toEqual(['running']);
    expect(await running).toBe('running');
    expect(await other).toBe('other');
    expect(ran).toEqual(['running', 'other']);
  });

  it('refuses work whose signal is already aborted without running it', async () => {
    const queue = new ModelQueue();
    const abort = new AbortController();
    abort.abort(new Error('too late'));
    let ran = false;
    await expect(
      queue.run(async () => {
        ran = true;
      }, 'urgent', abort.signal),
    ).rejects.toThrow('too late');
    expect(ran).toBe(false);
    expect(await queue.run(async () => 'next', 'urgent')).toBe('next');
  });
});
