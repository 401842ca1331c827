// A tiny application web server for the compose stack: every call hears a
// prompt, then is hung up; status callbacks are logged.
import console from 'node:console';
import { createServer } from 'node:http';
import process from 'node:process';
import { URLSearchParams } from 'node:url';

const port = Number(process.env.PORT ?? 3000);
const prompt = process.env.PROMPT ?? 'Hello from dialtone. This prompt was played by FreeSWITCH.';

function escapeXml(text) {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const params = new URLSearchParams(body);
    if (req.url?.startsWith('/status')) {
      console.log(JSON.stringify({ callback: 'status', CallSid: params.get('CallSid'), CallStatus: params.get('CallStatus') }));
      res.writeHead(204).end();
      return;
    }
    console.log(JSON.stringify({ callback: 'voice', CallSid: params.get('CallSid'), From: params.get('From'), To: params.get('To') }));
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Say>${escapeXml(prompt)}</Say><Hangup/></Response>`);
  });
}).listen(port, '127.0.0.1', () => console.log(`demo application on http://127.0.0.1:${port}`));
