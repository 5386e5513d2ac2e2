// Gateway.Crypto: IKEv2 and ESP cryptography. No I/O, no actors, no configuration.
