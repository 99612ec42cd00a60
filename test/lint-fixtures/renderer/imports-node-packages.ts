// Lint fixture: the renderer (a sandboxed page) importing Node-only packages. Must be rejected.
import { WebSocketServer } from 'ws';
import { Client } from 'ssh2';
import { spawn } from 'node-pty';
import { ipcRenderer } from 'electron';
export const loaded = [WebSocketServer, Client, spawn, ipcRenderer];
