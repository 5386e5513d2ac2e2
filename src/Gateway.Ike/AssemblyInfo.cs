// Gateway.Ike: the IKEv2 wire format. No I/O, no actors, no configuration.
