package bot

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Redactor hides secrets (bot tokens, webhook secrets) in text bound for a
// log or an error, in every form in which an error or an upstream error
// page may echo one: as it is; escaped as %q, %+q and strconv.Quote write
// it (a URL parse error quotes the URL holding the token); and
// percent-encoded as url.QueryEscape and url.PathEscape write it, and as a
// URL path, in upper and lower case hex. Each is replaced by "***". The
// adapters and storybot's logger share it. A nil *Redactor, or one with
// no secrets, changes nothing. It is safe for concurrent use.
type Redactor struct {
	forms []string // longest first, so no form leaves a piece of a longer one
}

// NewRedactor returns a Redactor for secrets. Empty ones are ignored.
func NewRedactor(secrets ...string) *Redactor {
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		q, qa := strconv.Quote(s), strconv.QuoteToASCII(s)
		asPath := (&url.URL{Path: s}).EscapedPath()
		for _, f := range []string{s, q[1 : len(q)-1], qa[1 : len(qa)-1], url.QueryEscape(s), url.PathEscape(s), asPath} {
			forms = append(forms, f, lowerHex(f))
		}
	}
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return &Redactor{forms: slices.Compact(forms)}
}

// Empty reports whether r has no secret to hide.
func (r *Redactor) Empty() bool { return r == nil || len(r.forms) == 0 }

// Redact returns s with every form of every secret replaced by "***".
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, "***")
	}
	return s
}

// lowerHex returns s with the hex digits of its percent escapes in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = toLowerHex(b[i+1]), toLowerHex(b[i+2])
		}
	}
	return string(b)
}

func toLowerHex(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}
