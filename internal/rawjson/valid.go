package rawjson

// Valid reports whether s is one JSON value, as encoding/json accepts it
// (surrounding whitespace allowed, invalid UTF-8 in strings allowed, at most
// 10000 nested arrays and objects). It checks in one pass without
// encoding/json's per-byte state machine, which was the readers' main cost.
func Valid(s string) bool {
	i, ok := validValue(s, skipSpace(s, 0), 0)
	return ok && skipSpace(s, i) == len(s)
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// validValue checks the value at s[i:] (nested depth containers deep) and
// returns the index just past it.
func validValue(s string, i, depth int) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '{' || c == '[':
		return validContainer(s, i, depth)
	case c == '"':
		return validString(s, i)
	case c == '-' || '0' <= c && c <= '9':
		return validNumber(s, i)
	case c == 't':
		return validLiteral(s, i, "true")
	case c == 'f':
		return validLiteral(s, i, "false")
	case c == 'n':
		return validLiteral(s, i, "null")
	}
	return i, false
}

func validContainer(s string, i, depth int) (int, bool) {
	if depth >= maxDepth {
		return i, false
	}
	object, closing := s[i] == '{', byte(']')
	if object {
		closing = '}'
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == closing {
		return i + 1, true
	}
	for {
		var ok bool
		if object {
			if i >= len(s) || s[i] != '"' {
				return i, false
			}
			if i, ok = validString(s, i); !ok {
				return i, false
			}
			i = skipSpace(s, i)
			if i >= len(s) || s[i] != ':' {
				return i, false
			}
			i = skipSpace(s, i+1)
		}
		if i, ok = validValue(s, i, depth+1); !ok {
			return i, false
		}
		i = skipSpace(s, i)
		switch {
		case i >= len(s):
			return i, false
		case s[i] == closing:
			return i + 1, true
		case s[i] != ',':
			return i, false
		}
		i = skipSpace(s, i+1)
	}
}

func validString(s string, i int) (int, bool) {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			i++
			if i >= len(s) {
				return i, false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for j := 1; j <= 4; j++ {
					if i+j >= len(s) || !isHex(s[i+j]) {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validNumber: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string, i int) (int, bool) {
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		if i+1 >= len(s) || !isDigit(s[i+1]) {
			return i, false
		}
		i = digits(s, i+1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return i, false
		}
		i = digits(s, i)
	}
	return i, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func validLiteral(s string, i int, lit string) (int, bool) {
	if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
		return i + len(lit), true
	}
	return i, false
}
