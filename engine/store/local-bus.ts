import { EventEmitter } from 'node:events';
import type { MessageBus } from './types.js';

/** The message bus of an engine that shares its store with no other: messages stay in the process. */
export class LocalBus implements MessageBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(channel: string, message: string): void {
    // As over a network: never within the publisher's own call stack.
    queueMicrotask(() => this.emitter.emit(channel, message));
  }

  subscribe(channel: string, handler: (message: string) => void): Promise<() => void> {
    this.emitter.on(channel, handler);
    return Promise.resolve(() => this.emitter.off(channel, handler));
  }
}
