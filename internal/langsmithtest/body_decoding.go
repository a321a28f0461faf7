package langsmithtest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// readWire reads the request body as sent, refusing more than maxBodyBytes.
func readWire(r *http.Request, lim limits) ([]byte, *apiError) {
	wire, err := io.ReadAll(io.LimitReader(r.Body, lim.maxBodyBytes+1))
	if err != nil {
		return wire, unprocessable("error reading body: " + err.Error())
	}
	if int64(len(wire)) > lim.maxBodyBytes {
		return wire, tooLarge(fmt.Sprintf("body exceeds %d bytes", lim.maxBodyBytes))
	}
	return wire, nil
}

func tooLarge(detail string) *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, message: "Payload Too Large", details: detail,
		violations: []string{"payload too large: " + detail}}
}

// decodeBody undoes the request's Content-Encoding, bounded by maxBodyBytes (zip bombs get 413).
func decodeBody(wire []byte, encoding string, lim limits) ([]byte, *apiError) {
	var (
		rd  io.Reader
		err error
	)
	switch enc := strings.ToLower(strings.TrimSpace(encoding)); enc {
	case "", "identity":
		return wire, nil
	case "zstd":
		if !lim.zstdEnabled {
			return nil, unsupportedEncoding(enc, "zstd is disabled by /info instance_flags."+FlagZstd)
		}
		dec, derr := zstd.NewReader(bytes.NewReader(wire), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(uint64(lim.maxBodyBytes)+1<<20))
		if derr != nil {
			return nil, unprocessable("error decompressing zstd body: " + derr.Error())
		}
		defer dec.Close()
		rd = dec
	case "gzip":
		if !lim.gzipEnabled {
			return nil, unsupportedEncoding(enc, "gzip is disabled by /info instance_flags."+FlagGzip)
		}
		gz, gerr := gzip.NewReader(bytes.NewReader(wire))
		if gerr != nil {
			return nil, unprocessable("error decompressing gzip body: " + gerr.Error())
		}
		rd = gz
	default:
		return nil, unsupportedEncoding(enc, "supported: zstd, gzip")
	}
	body, err := io.ReadAll(io.LimitReader(rd, lim.maxBodyBytes+1))
	if err != nil {
		return nil, unprocessable(fmt.Sprintf("error decompressing %s body: %v", encoding, err))
	}
	if int64(len(body)) > lim.maxBodyBytes {
		return nil, tooLarge(fmt.Sprintf("uncompressed body exceeds %d bytes", lim.maxBodyBytes))
	}
	return body, nil
}

func unsupportedEncoding(enc, detail string) *apiError {
	msg := fmt.Sprintf("unsupported Content-Encoding %q", enc)
	return &apiError{status: http.StatusUnsupportedMediaType, message: "Unsupported Media Type: " + msg,
		details: detail, violations: []string{msg + " (" + detail + ")"}}
}
