/*
 * The OpenSSL reference for AEAD rows: one whole AEAD operation per buffer on a context keyed once, as our SK/ESP
 * contexts are (keyed per SA direction). Per buffer: EVP_EncryptInit_ex with the IV only, 13 bytes of AAD, the
 * data, final — the calls of `openssl speed -aead`'s loop, without its re-keying.
 *
 * Why not `openssl speed -aead` (OpenSSL 3.0.22, counted with an LD_PRELOAD shim over one second at 64 B):
 *  - aes-128-gcm: every buffer sets the key AND the IV (406,307 EVP_CipherInit_ex calls with a key, 406,262
 *    EVP_CTRL_AEAD_SET_IVLEN, for 406,262 buffers): AES key expansion and GHASH table set-up per packet;
 *  - chacha20-poly1305: it does not use the AEAD loop at all but streams one endless encryption (2,087,944
 *    EVP_EncryptUpdate, 7 IVs, 1 final): no nonce, no AAD, no Poly1305 key block, no tag per buffer.
 * The first penalises OpenSSL, the second flatters it; neither is a per-packet cost.
 *
 * VZEROUPPER before every call (x86-64 with AVX): libcrypto's AVX-512 ChaCha20/Poly1305 code returns with the
 * upper vector state dirty, and its legacy-SSE code (this program's too) then pays the AVX-to-SSE transition on the
 * next call — ChaCha20-Poly1305 at 64 B measured 0.40 µs per buffer with it, 0.8 µs without (CPU time, loaded
 * machine). .NET's JIT emits VZEROUPPER before every P/Invoke, so this is the fair, and OpenSSL's best, case.
 *
 * Usage: openssl-aead-loop <cipher> <bytes> <seconds>
 * Prints `speed -mr`'s format: +F:0:<cipher>:<bytes per second> (wall clock, like `speed -elapsed`).
 * Built by ops/bench/crypto.sh (cc ... -lcrypto); the benchmark falls back to `openssl speed -aead` without it.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Clears the upper halves of the vector registers (see above); nothing without AVX. */
static int has_avx;

static void clean_upper(void)
{
#if defined(__x86_64__)
    if (has_avx)
        __asm__ volatile("vzeroupper");
#endif
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s <cipher> <bytes> <seconds>\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    int bytes = atoi(argv[2]);
    double seconds = atof(argv[3]);
    unsigned char key[64], iv[16] = { 0 }, aad[13] = { 0xcc };
    unsigned char *buf = calloc(1, (size_t)bytes + 64);
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl;

    if (buf == NULL || cipher == NULL || ctx == NULL || EVP_CIPHER_get_key_length(cipher) > (int)sizeof(key)
        || RAND_bytes(key, sizeof(key)) != 1 || !EVP_EncryptInit_ex(ctx, cipher, NULL, key, iv)) {
        fprintf(stderr, "%s: cannot set up %s\n", argv[0], name);
        return 1;
    }

#if defined(__x86_64__)
    has_avx = __builtin_cpu_supports("avx");
#endif
    double start = now(), elapsed = 0;
    long count = 0;
    while (elapsed < seconds) {
        for (int i = 0; i < 256; i++, count++) {
            int ok;
            clean_upper();
            ok = EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv);
            clean_upper();
            ok = ok && EVP_EncryptUpdate(ctx, NULL, &outl, aad, sizeof(aad));
            clean_upper();
            ok = ok && EVP_EncryptUpdate(ctx, buf, &outl, buf, bytes);
            clean_upper();
            ok = ok && EVP_EncryptFinal_ex(ctx, buf + outl, &outl);
            if (!ok) {
                fprintf(stderr, "%s: %s failed\n", argv[0], name);
                return 1;
            }
        }
        elapsed = now() - start;
    }

    printf("+F:0:%s:%.2f\n", name, (double)count * bytes / elapsed);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    free(buf);
    return 0;
}
