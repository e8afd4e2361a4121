// The `mc` commands docker-compose.yml runs, against s3rver, with AWS signature version 4 requests:
//   mc ready local                         exit 0 once the server on this container answers HTTP
//   mc alias set NAME URL KEY SECRET       remember a server (in ~/.mc-standin.json)
//   mc mb [--ignore-existing] NAME/BUCKET...
//   mc anonymous set none NAME/BUCKET...   checks the bucket exists (s3rver has no bucket policies to set)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const CONFIG = path.join(os.homedir(), '.mc-standin.json');
const loadAliases = () => (fs.existsSync(CONFIG) ? JSON.parse(fs.readFileSync(CONFIG, 'utf8')) : {});
const fail = (message) => {
  console.error(`mc: ${message}`);
  process.exit(1);
};

function request(method, url, alias) {
  const target = new URL(url);
  const headers = { host: target.host, 'x-amz-content-sha256': crypto.createHash('sha256').update('').digest('hex') };
  if (alias) {
    const now = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const day = now.slice(0, 8);
    headers['x-amz-date'] = now;
    const names = Object.keys(headers).sort();
    const canonical = [
      method,
      target.pathname,
      '',
      ...names.map((name) => `${name}:${headers[name]}`),
      '',
      names.join(';'),
      headers['x-amz-content-sha256'],
    ].join('\n');
    const scope = `${day}/us-east-1/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', now, scope, crypto.createHash('sha256').update(canonical).digest('hex')].join('\n');
    const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
    let key = hmac(`AWS4${alias.secret}`, day);
    for (const part of ['us-east-1', 's3', 'aws4_request']) key = hmac(key, part);
    const signature = crypto.createHmac('sha256', key).update(toSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${alias.key}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function bucketUrl(target) {
  const [name, bucket] = target.split('/');
  const alias = loadAliases()[name];
  if (!alias || !bucket) fail(`${target}: no alias ${name} (mc alias set first) or no bucket`);
  return { url: `${alias.url.replace(/\/$/, '')}/${bucket}`, alias };
}

async function main(args) {
  const [command, ...rest] = args;
  if (command === 'ready') {
    try {
      await request('GET', 'http://127.0.0.1:9000/');
      return 0;
    } catch (error) {
      console.error(`The server is not ready: ${error.message}`);
      return 1;
    }
  }
  if (command === 'alias' && rest[0] === 'set' && rest.length === 5) {
    const [, name, url, key, secret] = rest;
    const { status, body } = await request('GET', url.replace(/\/$/, '') + '/', { key, secret });
    if (status !== 200) fail(`${url} refused the key pair (${status}): ${body}`);
    fs.writeFileSync(CONFIG, JSON.stringify({ ...loadAliases(), [name]: { url, key, secret } }));
    console.log(`Added \`${name}\` successfully.`);
    return 0;
  }
  if (command === 'mb') {
    const ignoreExisting = rest.includes('--ignore-existing') || rest.includes('-p');
    for (const target of rest.filter((arg) => !arg.startsWith('-'))) {
      const { url, alias } = bucketUrl(target);
      if ((await request('HEAD', url, alias)).status === 200) {
        if (!ignoreExisting) fail(`${target} already exists`);
        console.log(`Bucket \`${target}\` already exists.`);
        continue;
      }
      const { status, body } = await request('PUT', url, alias);
      if (status !== 200) fail(`could not create ${target} (${status}): ${body}`);
      console.log(`Bucket created successfully \`${target}\`.`);
    }
    return 0;
  }
  if (command === 'anonymous' && rest[0] === 'set') {
    for (const target of rest.slice(2)) {
      const { url, alias } = bucketUrl(target);
      if ((await request('HEAD', url, alias)).status !== 200) fail(`${target} does not exist`);
      console.log(`Access permission for \`${target}\` is set to \`${rest[1]}\` (s3rver: no policy to change).`);
    }
    return 0;
  }
  fail(`this stand-in has no \`mc ${args.join(' ')}\``);
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => fail(error.message));
