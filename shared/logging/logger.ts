import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One Powertools logger per function. Personal data never goes to a log: log ids, codes and counts,
 * never emails, names or ballot content next to a person.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
export type { Logger };
