#ifndef CTRUST_H
#define CTRUST_H

#include <stddef.h>
#include <stdint.h>

/// Signatures and digests through OpenSSL 3's libcrypto, behind plain C calls, so no OpenSSL
/// type or macro reaches Swift. Algorithms: 0 = SM2 with SM3 (GB/T 32918, GB/T 32905; user ID
/// "1234567812345678"), 1 = Ed25519. Signatures are raw and fixed-length: SM2 r||s, 32 bytes
/// each, big-endian; Ed25519 the usual 64 bytes. Every call returns 0 on success, -1 on failure.

enum { CTRUST_SM2 = 0, CTRUST_ED25519 = 1 };
enum { CTRUST_SIGNATURE_LENGTH = 64 };

/// A new key pair as PEM texts (PKCS#8 private, SubjectPublicKeyInfo public), malloc'd; free with ctrust_free.
int ctrust_generate(int algorithm, char **private_pem, size_t *private_length, char **public_pem, size_t *public_length);

/// The algorithm of a PEM key (private or public), or -1.
int ctrust_key_algorithm(const char *pem, size_t length, int is_private);

/// The DER SubjectPublicKeyInfo of a PEM key (private or public), malloc'd: what key IDs hash.
int ctrust_public_der(const char *pem, size_t length, int is_private, uint8_t **der, size_t *der_length);

/// A parsed key (private or public), so signing many files parses the PEM once; NULL on failure.
/// A key may be used from several threads at once. Free with ctrust_key_free.
void *ctrust_key_load(const char *pem, size_t length, int is_private);
void ctrust_key_free(void *key);

/// Signs `message` with a private key; `signature` receives CTRUST_SIGNATURE_LENGTH bytes.
int ctrust_sign(void *private_key, const uint8_t *message, size_t message_length, uint8_t *signature);

/// 0 when `signature` (CTRUST_SIGNATURE_LENGTH bytes) is valid for `message` under the public key.
int ctrust_verify(void *public_key, const uint8_t *message, size_t message_length, const uint8_t *signature);

/// Streaming digests: 0 = SM3, 1 = SHA-256. 32-byte output.
void *ctrust_digest_new(int algorithm);
int ctrust_digest_update(void *context, const uint8_t *data, size_t length);
int ctrust_digest_final(void *context, uint8_t *out);  /* also frees the context */

/// Keys and signatures as other producers write them (the TC260 SecurityData form): a public key
/// from its DER SubjectPublicKeyInfo (SM2, RSA, Ed25519); NULL on failure. Free with ctrust_key_free.
void *ctrust_public_key_from_der(const uint8_t *der, size_t length);

enum { CTRUST_KIND_SM2 = 0, CTRUST_KIND_ED25519 = 1, CTRUST_KIND_RSA = 2 };

/// The kind of a loaded key, or -1.
int ctrust_key_kind(void *key);

/// The DER SubjectPublicKeyInfo of a loaded key (EC points uncompressed), malloc'd.
int ctrust_key_der(void *key, uint8_t **der, size_t *der_length);

/// Verifies a signature as it is stored (SM2 and RSA: DER; Ed25519: 64 bytes) over `message`:
/// SM2 with SM3 and the default user ID, RSA PKCS#1 v1.5 with SHA-256, Ed25519 pure.
int ctrust_verify_stored(void *public_key, const uint8_t *message, size_t message_length, const uint8_t *signature,
                         size_t signature_length);

/// Signs `message` and stores the signature as the SecurityData form does (SM2: DER, at most
/// 72 bytes; Ed25519: 64 bytes) in `signature`, which has room for 80; its length in `length`.
int ctrust_sign_stored(void *private_key, const uint8_t *message, size_t message_length, uint8_t *signature,
                       size_t *length);

void ctrust_free(void *pointer);

#endif
