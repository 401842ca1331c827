import type { Logger } from 'pino';
import type { RedisTarget } from '../../../config/store-options.js';
import type { MessageBus } from '../types.js';
import { closeRedis, connectRedis, type RedisClient } from './redis-connection.js';

/**
 * Redis publish/subscribe between engines: publishing through the store's
 * connection, listening on a connection of its own (a subscribed
 * connection can do nothing else). ioredis subscribes again by itself
 * after a reconnection. Channels are `{prefix}:{channel}`.
 */
export class RedisBus implements MessageBus {
  private readonly subscriber: RedisClient;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    private readonly publisher: RedisClient,
    target: RedisTarget,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.subscriber = connectRedis(target, log, 'bus');
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch (err) {
          this.log.error({ channel, reason: (err as Error).message }, 'a bus message handler failed');
        }
      }
    });
  }

  publish(channel: string, message: string): void {
    this.publisher.publish(`${this.prefix}:${channel}`, message).catch((err: Error) => {
      this.log.warn({ channel, reason: err.message }, 'a bus message could not be published');
    });
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => void> {
    const full = `${this.prefix}:${channel}`;
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await this.subscriber.subscribe(full);
    }
    set.add(handler);
    return () => {
      const handlers = this.handlers.get(full);
      handlers?.delete(handler);
      if (handlers && handlers.size === 0) {
        this.handlers.delete(full);
        void this.subscriber.unsubscribe(full).catch(() => undefined);
      }
    };
  }

  close(): Promise<void> {
    return closeRedis(this.subscriber);
  }
}
