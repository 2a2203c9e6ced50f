# plot.gp - draws the benchmark ratios as PNG; run by `make bench`:
#   gnuplot -e "dir='bench/results'" bench/plot.gp
# Each contender keeps one colour in both panels.
if (!exists("dir")) dir = 'bench/results'
set terminal pngcairo size 1200,520 font "sans,10"
set output dir.'/ratios.png'
set multiplot layout 1,2 title "seqshm vs the alternatives (medians of one run; lower is better)"
set logscale y
set xlabel "payload bytes"
set key top left
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
c_memcpy = '#999999'; c_single = '#1b9e77'; c_double = '#66a61e'
c_mutex = '#d95f02'; c_bmutex = '#e6ab02'; c_bshare = '#a6761d'
c_ref = '#7570b3'; c_sole = '#1f78b4'

set title "Uncontended read time / memcpy floor"
set ylabel "x memcpy"
plot dir.'/read_ratio.dat' using 2:xtic(1) title 'seqshm single' lc rgb c_single, \
     '' using 3 title 'seqshm double' lc rgb c_double, \
     '' using 4 title 'seqshm sole writer' lc rgb c_sole, \
     '' using 5 title 'seqshm mutex' lc rgb c_mutex, \
     '' using 6 title 'boost mutex' lc rgb c_bmutex, \
     '' using 7 title 'boost sharable' lc rgb c_bshare, \
     '' using 8 title 'ref 1 ms sleep lock' lc rgb c_ref

set title "Telemetry (writer at 100 kHz): read p99, ns"
set ylabel "ns"
plot dir.'/telemetry_p99.dat' using 2:xtic(1) title 'memcpy (no sync)' lc rgb c_memcpy, \
     '' using 3 title 'seqshm single' lc rgb c_single, \
     '' using 4 title 'seqshm double' lc rgb c_double, \
     '' using 5 title 'seqshm sole writer' lc rgb c_sole, \
     '' using 6 title 'seqshm mutex' lc rgb c_mutex, \
     '' using 7 title 'boost mutex' lc rgb c_bmutex, \
     '' using 8 title 'boost sharable' lc rgb c_bshare, \
     '' using 9 title 'ref 1 ms sleep lock' lc rgb c_ref
unset multiplot
