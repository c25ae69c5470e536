package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// leakyToken has characters that every escaping form writes differently:
// the colon of every Telegram token, and a slash, a plus, a quote, a
// backslash and an accented letter.
const leakyToken = `4242:AAe2e/SECRET+tok"en\é`

// tokenForms lists the forms in which an error or an upstream error page
// may echo a token, each with how it arises.
func tokenForms(token string) []struct{ name, text string } {
	q := strconv.Quote(token)
	qa := strconv.QuoteToASCII(token)
	return []struct{ name, text string }{
		{"raw", "Post https://api.telegram.org/bot" + token + "/getMe: EOF"},
		{"%q-quoted", fmt.Sprintf("parse %q: net/url: invalid control character in URL", "https://api.telegram.org/bot"+token+"/getMe")},
		{"strconv.Quote", "token " + q[1:len(q)-1] + " refused"},
		{"%+q-quoted", fmt.Sprintf("got %+q", token)},
		{"ASCII-quoted", "token " + qa[1:len(qa)-1] + " refused"},
		{"url.QueryEscape", "502 Bad Gateway: <p>no route for /getMe?token=" + url.QueryEscape(token) + "</p>"},
		{"url.PathEscape", "404 Not Found: <p>/bot" + url.PathEscape(token) + "/getMe</p>"},
		{"lower-case percent", "404: /bot" + lowerEscapes(url.QueryEscape(token)) + "/getMe"},
		{"URL path", (&url.URL{Scheme: "https", Host: "api.telegram.org", Path: "/bot" + token + "/getMe"}).String()},
	}
}

// lowerEscapes writes the hex digits of s's percent escapes in lower case.
func lowerEscapes(s string) string {
	return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(s, strings.ToLower)
}

// leaks reports whether s holds the distinctive part that every form of
// token shares (tokens in these tests have SECRET in them).
func leaks(s, token string) bool {
	for _, piece := range []string{token, "SECRET"} {
		if strings.Contains(s, piece) {
			return true
		}
	}
	return false
}

// TestExitLineRedactsEveryForm: when a bot fails with an error that echoes
// the token in any form, the exit line shows *** in its place.
func TestExitLineRedactsEveryForm(t *testing.T) {
	for _, f := range tokenForms(leakyToken) {
		t.Run(f.name, func(t *testing.T) {
			withAdapters(t, newStub("alpha", errors.New("alpha: "+f.text)))
			path := filepath.Join(t.TempDir(), "c.toml")
			writeRunFile(t, path, "[log]\nlevel = \"error\"\n")
			code, stderr := runOnce(t, path, tokenEnv(leakyToken))
			if leaks(stderr, leakyToken) {
				t.Fatalf("the %s token is in the exit line", f.name)
			}
			if code != 1 || !strings.Contains(stderr, "***") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 1 and one line with *** for the token", code, stderr)
			}
		})
	}
}

// TestExitLineRedactsUntrimmedToken: the token as the environment gave it,
// with the newline a mounted secret ends in, is redacted too, %q-quoted
// (newline escaped) or not.
func TestExitLineRedactsUntrimmedToken(t *testing.T) {
	for _, text := range []string{
		fmt.Sprintf("parse %q: net/url: invalid control character in URL", "https://x/bot"+leakyToken+"\n/getMe"),
		"token " + leakyToken + "\r\n refused",
	} {
		withAdapters(t, newStub("alpha", errors.New("alpha: "+text)))
		path := filepath.Join(t.TempDir(), "c.toml")
		writeRunFile(t, path, "[log]\nlevel = \"error\"\n")
		code, stderr := runOnce(t, path, tokenEnv(leakyToken+"\r\n"))
		if leaks(stderr, leakyToken) || code != 1 {
			t.Errorf("exit %d; the token with a line break is in the exit line: %v", code, leaks(stderr, leakyToken))
		}
	}
}

// TestLoggerRedactsEveryForm: a token in any form is blanked in the
// message, string values and errors, in both log formats.
func TestLoggerRedactsEveryForm(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		for _, f := range tokenForms(leakyToken) {
			var buf bytes.Buffer
			log, err := newLogger(LogConfig{Level: "debug", Format: format}, &buf, []string{leakyToken, "", "hook-secret"})
			if err != nil {
				t.Fatal(err)
			}
			log.Warn("failed: "+f.text, "detail", f.text, "error", errors.New(f.text), "values", []string{"x", f.text})
			if out := buf.String(); leaks(out, leakyToken) {
				t.Errorf("%s log: the %s token is in the log", format, f.name)
			} else if strings.Count(out, "***") < 4 {
				t.Errorf("%s log of the %s token = %q; want *** in each of the four places", format, f.name, out)
			}
		}
		// A structured value the handler writes its own way (JSON fields,
		// a URL's String).
		var buf bytes.Buffer
		log, _ := newLogger(LogConfig{Level: "debug", Format: format}, &buf, []string{leakyToken})
		u := &url.URL{Scheme: "https", Host: "api.telegram.org", Path: "/bot" + leakyToken + "/getMe"}
		log.Warn("request", "url", u, "req", struct{ URL *url.URL }{u})
		if out := buf.String(); leaks(out, leakyToken) || strings.Count(out, "***") != 2 {
			t.Errorf("%s log of a *url.URL holding the token: leaks %v; want *** twice:\n%s", format, leaks(out, leakyToken), strings.ReplaceAll(out, "SECRET", "S*CRET"))
		}
	}
}

// TestLoggerLeavesAttributesWithoutSecrets: with no secrets, the logger
// does not rewrite attributes at all.
func TestLoggerLeavesAttributesWithoutSecrets(t *testing.T) {
	if redactAttr(nil) != nil || redactAttr([]string{""}) != nil {
		t.Error("with no secrets, the logger should not rewrite attributes")
	}
}
