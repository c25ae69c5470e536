package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRedactorEveryForm: a token with characters every escaping writes
// differently is hidden in each form an error or an error page may echo.
func TestRedactorEveryForm(t *testing.T) {
	const token = `4242:AAe2e/SECRET+tok"en\é`
	r := NewRedactor(token, "", "hook-secret")
	q, qa := strconv.Quote(token), strconv.QuoteToASCII(token)
	for _, text := range []string{
		"Post https://api.telegram.org/bot" + token + "/getMe: EOF",
		fmt.Sprintf("parse %q: net/url: invalid control character in URL", "https://x/bot"+token+"/getMe"),
		"token " + q[1:len(q)-1] + " refused",
		fmt.Sprintf("got %+q", token),
		"token " + qa[1:len(qa)-1] + " refused",
		"502: /getMe?token=" + url.QueryEscape(token),
		"404: /bot" + url.PathEscape(token) + "/getMe",
		"404: /bot" + regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.QueryEscape(token), strings.ToLower) + "/getMe",
		(&url.URL{Scheme: "https", Host: "x", Path: "/bot" + token}).String(),
		"secret hook-secret sent",
	} {
		got := r.Redact(text)
		if strings.Contains(got, "SECRET") || strings.Contains(got, "hook-secret") || !strings.Contains(got, "***") {
			t.Errorf("Redact(%q) = %q", text, got)
		}
	}
}

// TestRedactorOnlySecrets: redaction leaves the text around the secrets
// alone, and a Redactor with none changes nothing.
func TestRedactorOnlySecrets(t *testing.T) {
	r := NewRedactor("4242:x:y", "")
	// 4242:x%3Ay is not a form of 4242:x:y (only its colon after the
	// first is escaped), so it stays.
	if got := r.Redact("a 4242:x%3Ay b 4242:x:y c"); got != "a 4242:x%3Ay b *** c" {
		t.Errorf("Redact = %q", got)
	}
	if got := r.Redact("a 4242%3Ax%3Ay b"); got != "a *** b" {
		t.Errorf("Redact of the query-escaped form = %q", got)
	}
	var none *Redactor
	for _, n := range []*Redactor{none, NewRedactor(), NewRedactor("")} {
		if !n.Empty() || n.Redact("a *** b 4242") != "a *** b 4242" {
			t.Errorf("a Redactor with no secrets changed the text or is not Empty")
		}
	}
}
