package main

import (
	"bufio"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
)

// TestMetricsScrapeConsistent scrapes /metrics while questions are being
// counted: in every scrape, each platform's questions (summed over
// outcomes) must equal its latency observations, as a dashboard dividing
// one by the other assumes. Counting a question and timing it used to be
// two steps a scrape could fall between.
func TestMetricsScrapeConsistent(t *testing.T) {
	m := newPromMetrics()
	h := m.Handler()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, p := range []string{"alpha", "beta"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes := []bot.Kind{bot.Answered, bot.NotFound, bot.Limited}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				m.Question(p, outcomes[i%len(outcomes)], time.Duration(i)*time.Microsecond)
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	seen := 0
	for range 100 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		questions, timed := scrapeCounts(t, rec.Body.String())
		for p, n := range questions {
			if timed[p] != n {
				t.Fatalf("one scrape counts %v questions on %s but %v timings:\n%s", n, p, timed[p], rec.Body.String())
			}
			seen++
		}
	}
	if seen == 0 {
		t.Fatal("no scrape showed a question")
	}
}

// scrapeCounts reads, per platform, the sum of storybot_questions_total and
// the storybot_question_duration_seconds_count from a text exposition.
func scrapeCounts(t *testing.T, body string) (questions, timed map[string]float64) {
	t.Helper()
	questions, timed = map[string]float64{}, map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		var into map[string]float64
		switch {
		case strings.HasPrefix(line, "storybot_questions_total{"):
			into = questions
		case strings.HasPrefix(line, "storybot_question_duration_seconds_count{"):
			into = timed
		default:
			continue
		}
		labels, value, ok := strings.Cut(line[strings.IndexByte(line, '{')+1:], "} ")
		_, platform, found := strings.Cut(labels, `platform="`)
		platform, _, _ = strings.Cut(platform, `"`)
		v, err := strconv.ParseFloat(value, 64)
		if !ok || !found || err != nil {
			t.Fatalf("cannot read metrics line %q", line)
		}
		into[platform] += v
	}
	return questions, timed
}
