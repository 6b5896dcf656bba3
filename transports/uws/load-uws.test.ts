import { expect } from 'chai';
import { loadUws, nativeBinaryName } from './load-uws.ts';

describe('uWebSockets.js loader', () => {
  it('loads the native binary, not the ws fallback', () => {
    const uws = loadUws();
    expect(typeof uws.App).to.equal('function');
    expect(nativeBinaryName()).to.match(/^uws_linux_x64_\d+\.node$/);
    // Only the native addon has these; the ws fallback exports just App and two socket helpers.
    expect(Object.keys(uws)).to.include.members(['getParts', 'SSLApp', 'DEDICATED_COMPRESSOR']);
  });

  it('serves HTTP on a loopback port', async () => {
    const uws = loadUws();
    const app = uws.App().get('/ping', (res) => { res.end('pong'); });
    const socket = await new Promise<Parameters<typeof uws.us_socket_local_port>[0]>((resolve, reject) => {
      app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed'))));
    });
    try {
      const body = await (await fetch(`http://127.0.0.1:${uws.us_socket_local_port(socket)}/ping`)).text();
      expect(body).to.equal('pong');
    } finally {
      uws.us_listen_socket_close(socket);
    }
  });
});
