/**
 * Both ends of a manager's socket prove they know the authkey before anything else is read, as
 * Python's deliver_challenge() / answer_challenge() do: the server challenges the client, then
 * the client the server. Each challenge is fresh random bytes, each answer an HMAC-SHA256 of the
 * challenge and the answering side's role (so that an answer cannot be reflected back as the
 * other side's), compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { AuthenticationError } from '../errors.js';
import { writeFrame, type SocketFrames as HandshakeReader } from './wire.js';

const CHALLENGE = Buffer.from('#MPCHALLENGE1#');
const WELCOME = Buffer.from('#MPWELCOME#');
const FAILURE = Buffer.from('#MPFAILURE#');
const NONCE_BYTES = 32;

type Role = 'server' | 'client';

function answer(key: Buffer, challenge: Buffer, role: Role): Buffer {
  return createHmac('sha256', key).update(role).update(challenge).digest();
}

async function challenge(socket: Socket, frames: HandshakeReader, key: Buffer, peer: Role): Promise<void> {
  const nonce = randomBytes(NONCE_BYTES);
  writeFrame(socket, Buffer.concat([CHALLENGE, nonce]));
  const reply = await frames.next();
  const expected = answer(key, nonce, peer);
  if (reply.length !== expected.length || !timingSafeEqual(reply, expected)) {
    writeFrame(socket, FAILURE);
    throw new AuthenticationError(`the ${peer} did not prove it knows the authkey`);
  }
  writeFrame(socket, WELCOME);
}

async function respond(socket: Socket, frames: HandshakeReader, key: Buffer, me: Role): Promise<void> {
  const message = await frames.next();
  if (message.length !== CHALLENGE.length + NONCE_BYTES || !message.subarray(0, CHALLENGE.length).equals(CHALLENGE)) {
    throw new AuthenticationError('the peer did not send a challenge');
  }
  writeFrame(socket, answer(key, message.subarray(CHALLENGE.length), me));
  const verdict = await frames.next();
  if (!verdict.equals(WELCOME)) throw new AuthenticationError(`the ${me === 'client' ? 'server' : 'client'} refused the authkey`);
}

/** The server's half: challenge the client, then answer its challenge. */
export async function serverHandshake(socket: Socket, frames: HandshakeReader, key: Buffer): Promise<void> {
  await challenge(socket, frames, key, 'client');
  await respond(socket, frames, key, 'server');
}

/** The client's half. */
export async function clientHandshake(socket: Socket, frames: HandshakeReader, key: Buffer): Promise<void> {
  await respond(socket, frames, key, 'client');
  await challenge(socket, frames, key, 'server');
}
