# plot.gp - draws the benchmark ratios as PNG; run by `make bench`:
#   gnuplot -e "dir='bench/results'" bench/plot.gp
if (!exists("dir")) dir = 'bench/results'
set terminal pngcairo size 1200,520 font "sans,10"
set output dir.'/ratios.png'
set multiplot layout 1,2 title "seqshm vs the alternatives (medians, one run; lower is better)"

set title "Uncontended read time / memcpy floor"
set logscale y
set xlabel "payload bytes"
set ylabel "x memcpy"
set key top left
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics nomirror
plot dir.'/read_ratio.dat' using 2:xtic(1) title 'seqshm single', \
     '' using 3 title 'seqshm double', \
     '' using 4 title 'seqshm mutex', \
     '' using 5 title 'boost mutex', \
     '' using 6 title 'boost sharable', \
     '' using 7 title 'ref 1 ms sleep lock'

set title "Telemetry (writer 100 kHz): read p99, ns"
set ylabel "ns"
plot dir.'/telemetry_p99.dat' using 2:xtic(1) title 'memcpy (no sync)', \
     '' using 3 title 'seqshm single', \
     '' using 4 title 'seqshm double', \
     '' using 5 title 'seqshm mutex', \
     '' using 6 title 'boost mutex', \
     '' using 7 title 'boost sharable', \
     '' using 8 title 'ref 1 ms sleep lock'
unset multiplot
