#include "CTrust.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static const char sm2_user_id[] = "1234567812345678";

static EVP_PKEY *read_key(const char *pem, size_t length, int is_private) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return NULL;
    EVP_PKEY *key = is_private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

static int bio_to_string(BIO *bio, char **out, size_t *length) {
    char *data = NULL;
    long size = BIO_get_mem_data(bio, &data);
    if (size <= 0) return -1;
    *out = malloc((size_t)size + 1);
    if (!*out) return -1;
    memcpy(*out, data, (size_t)size);
    (*out)[size] = 0;
    *length = (size_t)size;
    return 0;
}

static int kind_of(EVP_PKEY *key) {
    if (EVP_PKEY_is_a(key, "SM2")) return CTRUST_KIND_SM2;
    if (EVP_PKEY_is_a(key, "ED25519")) return CTRUST_KIND_ED25519;
    if (EVP_PKEY_is_a(key, "RSA")) return CTRUST_KIND_RSA;
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {0};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &length) == 1 &&
            strcmp(group, "SM2") == 0)
            return CTRUST_KIND_SM2;
    }
    return -1;
}

/// The algorithm SynthLabel signs with (SM2 or Ed25519; the codes match the kinds), or -1.
static int algorithm_of(EVP_PKEY *key) {
    int kind = kind_of(key);
    return kind == CTRUST_KIND_SM2 || kind == CTRUST_KIND_ED25519 ? kind : -1;
}

int ctrust_generate(int algorithm, char **private_pem, size_t *private_length, char **public_pem, size_t *public_length) {
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, algorithm == CTRUST_SM2 ? "SM2" : "ED25519");
    if (!key) return -1;
    BIO *private_bio = BIO_new(BIO_s_mem());
    BIO *public_bio = BIO_new(BIO_s_mem());
    int status = -1;
    if (private_bio && public_bio && PEM_write_bio_PKCS8PrivateKey(private_bio, key, NULL, NULL, 0, NULL, NULL) == 1 &&
        PEM_write_bio_PUBKEY(public_bio, key) == 1 && bio_to_string(private_bio, private_pem, private_length) == 0) {
        if (bio_to_string(public_bio, public_pem, public_length) == 0) {
            status = 0;
        } else {
            OPENSSL_cleanse(*private_pem, *private_length);
            free(*private_pem);
        }
    }
    BIO_free(private_bio);
    BIO_free(public_bio);
    EVP_PKEY_free(key);
    return status;
}

int ctrust_key_algorithm(const char *pem, size_t length, int is_private) {
    EVP_PKEY *key = read_key(pem, length, is_private);
    if (!key) return -1;
    int algorithm = algorithm_of(key);
    EVP_PKEY_free(key);
    return algorithm;
}

int ctrust_public_der(const char *pem, size_t length, int is_private, uint8_t **der, size_t *der_length) {
    EVP_PKEY *key = read_key(pem, length, is_private);
    if (!key) return -1;
    *der = NULL;
    int size = i2d_PUBKEY(key, der);
    EVP_PKEY_free(key);
    if (size <= 0) return -1;
    *der_length = (size_t)size;
    return 0;
}

/// A digest-sign or digest-verify context for the key: SM3 and the user ID for SM2, SHA-256 for
/// RSA, none for Ed25519.
static EVP_MD_CTX *start(EVP_PKEY *key, int signing) {
    int kind = kind_of(key);
    if (kind < 0) return NULL;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context) return NULL;
    EVP_PKEY_CTX *key_context = NULL;
    const char *digest = kind == CTRUST_KIND_SM2 ? "SM3" : kind == CTRUST_KIND_RSA ? "SHA256" : NULL;
    int ok = signing ? EVP_DigestSignInit_ex(context, &key_context, digest, NULL, NULL, key, NULL)
                     : EVP_DigestVerifyInit_ex(context, &key_context, digest, NULL, NULL, key, NULL);
    if (ok == 1 && kind == CTRUST_KIND_SM2) ok = EVP_PKEY_CTX_set1_id(key_context, sm2_user_id, strlen(sm2_user_id)) > 0;
    if (ok != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

void *ctrust_key_load(const char *pem, size_t length, int is_private) { return read_key(pem, length, is_private); }

void ctrust_key_free(void *key) { EVP_PKEY_free((EVP_PKEY *)key); }

int ctrust_sign(void *private_key, const uint8_t *message, size_t message_length, uint8_t *signature) {
    EVP_PKEY *key = (EVP_PKEY *)private_key;
    if (!key) return -1;
    int algorithm = algorithm_of(key);
    if (algorithm < 0) return -1; /* SL1 records are SM2 or Ed25519 only */
    EVP_MD_CTX *context = start(key, 1);
    int status = -1;
    unsigned char der[160];
    size_t length = sizeof(der);
    if (context && EVP_DigestSign(context, der, &length, message, message_length) == 1) {
        if (algorithm == CTRUST_ED25519 && length == CTRUST_SIGNATURE_LENGTH) {
            memcpy(signature, der, length);
            status = 0;
        } else if (algorithm == CTRUST_SM2) {
            /* SM2 signatures come DER-encoded (SEQUENCE of r, s); store them as fixed r||s. */
            const unsigned char *cursor = der;
            ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &cursor, (long)length);
            if (parsed) {
                const BIGNUM *r = NULL, *s = NULL;
                ECDSA_SIG_get0(parsed, &r, &s);
                if (BN_bn2binpad(r, signature, 32) == 32 && BN_bn2binpad(s, signature + 32, 32) == 32) status = 0;
                ECDSA_SIG_free(parsed);
            }
        }
    }
    EVP_MD_CTX_free(context);
    return status;
}

int ctrust_verify(void *public_key, const uint8_t *message, size_t message_length, const uint8_t *signature) {
    EVP_PKEY *key = (EVP_PKEY *)public_key;
    if (!key) return -1;
    int algorithm = algorithm_of(key);
    if (algorithm < 0) return -1; /* SL1 records are SM2 or Ed25519 only */
    EVP_MD_CTX *context = start(key, 0);
    int status = -1;
    if (context && algorithm == CTRUST_ED25519) {
        status = EVP_DigestVerify(context, signature, CTRUST_SIGNATURE_LENGTH, message, message_length) == 1 ? 0 : -1;
    } else if (context && algorithm == CTRUST_SM2) {
        ECDSA_SIG *parsed = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(signature, 32, NULL);
        BIGNUM *s = BN_bin2bn(signature + 32, 32, NULL);
        unsigned char *der = NULL;
        if (parsed && r && s && ECDSA_SIG_set0(parsed, r, s) == 1) {
            r = s = NULL; /* owned by parsed now */
            int length = i2d_ECDSA_SIG(parsed, &der);
            if (length > 0) status = EVP_DigestVerify(context, der, (size_t)length, message, message_length) == 1 ? 0 : -1;
        }
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(parsed);
        OPENSSL_free(der);
    }
    EVP_MD_CTX_free(context);
    return status;
}

void *ctrust_digest_new(int algorithm) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context) return NULL;
    EVP_MD *digest = EVP_MD_fetch(NULL, algorithm == 0 ? "SM3" : "SHA256", NULL);
    int ok = digest && EVP_DigestInit_ex(context, digest, NULL) == 1;
    EVP_MD_free(digest);
    if (!ok) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

int ctrust_digest_update(void *context, const uint8_t *data, size_t length) {
    return EVP_DigestUpdate((EVP_MD_CTX *)context, data, length) == 1 ? 0 : -1;
}

/* With out NULL, the context is only freed (a hasher dropped unfinished). */
int ctrust_digest_final(void *context, uint8_t *out) {
    unsigned int length = 0;
    int ok = out && EVP_DigestFinal_ex((EVP_MD_CTX *)context, out, &length) == 1 && length == 32;
    EVP_MD_CTX_free((EVP_MD_CTX *)context);
    return ok ? 0 : -1;
}

void *ctrust_public_key_from_der(const uint8_t *der, size_t length) {
    const unsigned char *cursor = der;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &cursor, (long)length);
    if (key && (kind_of(key) < 0 || cursor != der + length)) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

int ctrust_key_kind(void *key) { return key ? kind_of((EVP_PKEY *)key) : -1; }

int ctrust_key_der(void *key, uint8_t **der, size_t *der_length) {
    EVP_PKEY *pkey = (EVP_PKEY *)key;
    if (!pkey) return -1;
    if (kind_of(pkey) == CTRUST_KIND_SM2) {
        EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed");
    }
    *der = NULL;
    int size = i2d_PUBKEY(pkey, der);
    if (size <= 0) return -1;
    *der_length = (size_t)size;
    return 0;
}

int ctrust_verify_stored(void *public_key, const uint8_t *message, size_t message_length, const uint8_t *signature,
                         size_t signature_length) {
    EVP_PKEY *key = (EVP_PKEY *)public_key;
    if (!key) return -1;
    EVP_MD_CTX *context = start(key, 0);
    int status = context && EVP_DigestVerify(context, signature, signature_length, message, message_length) == 1 ? 0 : -1;
    EVP_MD_CTX_free(context);
    return status;
}

int ctrust_sign_stored(void *private_key, const uint8_t *message, size_t message_length, uint8_t *signature,
                       size_t *length) {
    EVP_PKEY *key = (EVP_PKEY *)private_key;
    if (!key) return -1;
    int kind = kind_of(key);
    if (kind != CTRUST_KIND_SM2 && kind != CTRUST_KIND_ED25519) return -1;
    EVP_MD_CTX *context = start(key, 1);
    size_t size = 80;
    int status = context && EVP_DigestSign(context, signature, &size, message, message_length) == 1 ? 0 : -1;
    EVP_MD_CTX_free(context);
    *length = size;
    return status;
}

void ctrust_free(void *pointer) { free(pointer); }
