// Lint fixture: shared/ importing Node-only packages and a prefix-only Node module, in every
// form a module can be reached. Each line must be rejected.
import { Client } from 'ssh2';
import type { WebSocketServer } from 'ws';
import { spawn } from 'node-pty';
import { DatabaseSync } from 'node:sqlite';
import Protocol = require('ssh2/lib/protocol/Protocol.js');
export type Pty = import('node-pty').IPty;
export const loaded = [Client, spawn, DatabaseSync, Protocol, import('ws')];
export type Server = WebSocketServer;
