// The winston Transport base class, typed. winston exports it at runtime as `winston.Transport`,
// but its type declarations only name it `winston.transport`; this file bridges the two so each
// transport can `extends TransportBase` without importing winston-transport (a transitive
// dependency) at runtime.
import winston from 'winston';
import type TransportStream from 'winston-transport';

export const TransportBase: typeof TransportStream = (winston as unknown as { Transport: typeof TransportStream })
  .Transport;
export type TransportInfo = winston.Logform.TransformableInfo;
