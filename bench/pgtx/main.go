//go:build linux

// Command pgtx stores messages on PostgreSQL in transactions of a fixed size, one after
// another from one writer, and says how much CPU the server's processes and pgtx spent a
// transaction and a message. serve's figures (bench/serveload) mix in HTTP, the load
// generator and the two sharing two cores; this is the store's part alone. One writer
// runs one statement at a time, so pg_stat_statements' times of a run are the server's
// CPU per statement. Runs of one build still differ by up to ±15% on a shared VM:
// alternate builds, and compare several runs. The server must run on this machine (its CPU is read from /proc), into an empty database:
//
//	pgtx -db 'postgres://postgres@127.0.0.1:5432/empty?sslmode=disable' -size 13
//
// 13 is the size of serve's transactions under 50 connections of single messages.
//
// Linux only: it reads /proc, and its own CPU from getrusage.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/triage-inbox/triage/inbox"
	"github.com/triage-inbox/triage/store"
)

func main() {
	db := flag.String("db", "", "postgres:// URL of an empty database")
	txs := flag.Int("tx", 1500, "transactions")
	size := flag.Int("size", 13, "messages a transaction")
	warm := flag.Int("warm", 500, "transactions before measuring")
	prof := flag.String("cpuprofile", "", "write pgtx's CPU profile to this `file`")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if !store.IsPostgresURL(*db) {
		log.Fatal("pgtx: -db must be a postgres:// URL of an empty database")
	}
	ctx := context.Background()
	d, err := store.Open(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	svc, err := inbox.New(ctx, d, nil)
	if err != nil {
		log.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	n := 0
	run := func(k int) {
		for range k {
			ms := make([]inbox.Message, *size)
			for i := range ms {
				ms[i] = inbox.Message{Channel: "webhook", Account: "load", ID: fmt.Sprint("m-", n), Kind: inbox.KindDM,
					Author: &inbox.Author{ID: fmt.Sprint("user-", n%997)}, Text: fmt.Sprint("load message ", n, " about my order"), CreatedAt: at.Add(time.Duration(n) * time.Millisecond)}
				n++
			}
			if _, err := svc.IngestMessages(ctx, ms...); err != nil {
				log.Fatal(err)
			}
		}
	}
	run(*warm)
	pg0, me0, t0 := pgCPU(), selfCPU(), time.Now()
	run(*txs)
	pg, me, wall := pgCPU()-pg0, selfCPU()-me0, time.Since(t0)
	m := float64(*txs * *size)
	fmt.Printf("tx=%d size=%d wall=%.2fs  pg: %.0f us/tx %.1f us/msg  triage: %.0f us/tx %.1f us/msg\n", *txs, *size, wall.Seconds(),
		pg.Seconds()*1e6/float64(*txs), pg.Seconds()*1e6/m, me.Seconds()*1e6/float64(*txs), me.Seconds()*1e6/m)
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgCPU is the CPU time the server's processes (named postgres) have spent so far.
func pgCPU() time.Duration {
	var total int64
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		if isPostgres(dir) {
			b, err := os.ReadFile(dir + "/stat")
			if err != nil {
				continue
			}
			f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += u + s
		}
	}
	return time.Duration(total) * 10 * time.Millisecond
}

func isPostgres(dir string) bool {
	b, _ := os.ReadFile(dir + "/comm")
	return strings.HasPrefix(string(b), "postgres")
}
