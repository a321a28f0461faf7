package langsmithexporter

// Mozilla's root certificates, compiled in. They are used only where the
// system has no roots of its own (no CA bundle, SSL_CERT_FILE/SSL_CERT_DIR
// empty), such as the FROM scratch image: there LangSmith's TLS certificate
// could otherwise not be verified. Anywhere the system has roots, those win.
import _ "golang.org/x/crypto/x509roots/fallback"
