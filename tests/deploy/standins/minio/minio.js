// `minio server <dir> [--console-address ...]`: s3rver on port 9000 keeping objects in <dir>, accepting the
// MINIO_ROOT_USER / MINIO_ROOT_PASSWORD key pair (s3rver's own dummy key pair is revoked). No console.
'use strict';
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

const args = process.argv.slice(2);
if (args[0] !== 'server' || !args[1]) {
  console.error('usage: minio server <directory> [--console-address :9001]');
  process.exit(2);
}
const user = process.env.MINIO_ROOT_USER;
const password = process.env.MINIO_ROOT_PASSWORD;
if (!user || !password) {
  console.error('MINIO_ROOT_USER and MINIO_ROOT_PASSWORD are required');
  process.exit(2);
}
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(user, password);

const server = new S3rver({ directory: args[1], address: '0.0.0.0', port: 9000, vhostBuckets: false, silent: false });
server.run().then(
  () => console.log(`s3rver (standing in for MinIO) keeps objects in ${args[1]}, listening on :9000`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
