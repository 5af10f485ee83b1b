#!/usr/bin/env bash
# Rebuilds the network set in weights/ from the reference data: splits off
# held-out truth rows, samples and labels training points, trains every
# stage (three members each, more for some LO stages), assembles the
# manifest and checks the LO networks against the exact engine on fresh
# pMSSM-box points. Single-threaded training (--threads 1) keeps the
# result independent of the core count.
# Usage: scripts/train-weights.sh [WORK_DIR]   (default target/train-weights)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${DEEPXS_SHARED:-$PWD/../shared}"
REF="$SHARED/reference"
PDF="$REF/pdf/cteq6l1"
WORK="${1:-target/train-weights}"
REPO="$PWD"
mkdir -p "$WORK"
cargo build --profile test --bin deepxs-train
T="$PWD/target/debug/deepxs-train"
cd "$WORK"

ENGINE="exact LO engine (CTEQ6L1, 13 TeV, squarks at their own masses)"
DESCRIPTION="deepxs-train set of 2026-12-05 (pMSSM-19 box and points around the DeepXS test rows; structured LO networks, c1c1 LO members trained with random-mixing copies, n2n2 and n2c1 LO networks with mass factors, term targets and normalised outputs, for n2n2 with a mass factor per term; K from Prospino truth and the DeepXS networks as a teacher, for n2c1 in the sign variant the teacher was trained on and with structured K networks that weigh one K-factor per coupling product with the LO terms). σ_NLO MAPE against held-out Prospino values: 0.090 % c1c1, 0.356 % n2n2, 0.202 % n2c1p, 0.162 % n2c1m. See weights/README.md."
# LO networks are structured: log-masses in, a scale and one coefficient per
# coupling product out (see --features in deepxs-train train --help).
LO_NET=(--features structured --hidden 64,64,64,64 --batch-size 64 --loss squared-relative
  --restarts 2 --validation-fraction 0.05 --threads 1 --quiet)
K_NET=(--hidden 32,32,32,32,32,32,32,32 --batch-size 64 --learning-rate 1e-3 --threads 1 --quiet)

# Box points from the pMSSM-19 box through the tree-level spectrum
# generator (the LO stages and the n2c1 K teacher labels use them), and
# fresh box points with another seed to check the LO networks.
"$T" sample --pmssm-box --count 400000 --seed 1 --out box_points.csv
"$T" sample --pmssm-box --count 20000 --seed 999 --out box_fresh_points.csv

# χ̃⁺₁χ̃⁻₁ and χ̃⁰₂χ̃⁰₂: 80 % of the Prospino-truth test rows train, 20 % are
# held out. The K labels come from two sources. The truth rows give
# K = Prospino NLO / exact LO, three copies each to weigh them up. On
# 100 000 points drawn around them (300 000 for c1c1), the DeepXS networks give σ_NLO and the
# exact engine σ_LO (--teacher-nlo). Rows where the DeepXS LO is off by
# more than 2 % stay unlabelled. Other drawn points add LO training rows
# near the test distribution, which reaches squark masses above the box.
# Draws points around the rows of the first file in parts of
# COUNT:SPREAD:SEED, writes them to the second file and labels them for
# pair $p with the teacher σ_NLO over the exact σ_LO (the same name with
# _teacher for _points).
teacher_points() {
  local base=$1 out=$2 parts=()
  shift 2
  for part in "$@"; do
    IFS=: read -r count spread seed <<<"$part"
    "$T" sample --around $base --count $count --spread $spread --seed $seed --out ${out%.csv}_$seed.csv
    parts+=(${out%.csv}_$seed.csv)
  done
  (head -n 1 ${parts[0]}; for part in "${parts[@]}"; do tail -n +2 $part; done) > $out
  "$T" label --pair $p --stage k --input $out --engine-pdf "$PDF" \
    --teacher "$REF/deepxs/networks" --teacher-nlo --out ${out/_points/_teacher}
}
for p in c1c1 n2n2; do
  "$T" split --input "$REF/deepxs/testsets/${p}_test.csv" --holdout-fraction 0.2 --seed 1 \
    --train-out ${p}_train_rows.csv --holdout-out ${p}_holdout.csv
  "$T" label --pair $p --stage k --input ${p}_train_rows.csv --engine-pdf "$PDF" \
    --truth-column nlo_prospino_pb --out ${p}_k_truth.csv
  teacher_points ${p}_train_rows.csv ${p}_k_points.csv 30000:0.05:61 30000:0.15:62 40000:0.1:64
  if [ $p = c1c1 ]; then
    # c1c1 takes 200 000 more teacher points and nine copies of each truth
    # row, which keeps the truth's share of the rows. 40 000 more points
    # lie around the 110 training rows with ũ_L lighter than χ̃±₁, where K
    # changes fastest and the teacher's σ_LO is most often off by more than
    # 2 %, so that few labels were left there.
    teacher_points ${p}_train_rows.csv ${p}_k_more_points.csv 70000:0.05:81 70000:0.1:82 60000:0.15:83
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) column[$i] = i; print; next }
      $column["m_1000002"] < $column["m_chi1pm"]' ${p}_train_rows.csv > ${p}_light_squark_rows.csv
    teacher_points ${p}_light_squark_rows.csv ${p}_k_light_points.csv 20000:0.05:84 20000:0.1:85
    (cat ${p}_k_teacher.csv; tail -n +2 ${p}_k_more_teacher.csv; for copy in 1 2 3 4 5 6 7 8 9; do tail -n +2 ${p}_k_truth.csv; done
      tail -n +2 ${p}_k_light_teacher.csv) > ${p}_k.csv
  else
    (cat ${p}_k_teacher.csv; for copy in 1 2 3; do tail -n +2 ${p}_k_truth.csv; done) > ${p}_k.csv
  fi
  "$T" train --pair $p --stage k --data ${p}_k.csv --out set --members 3 --seed 11 "${K_NET[@]}" \
    --max-epochs 250 --learning-rate-decay 0.985 --patience 1000 --restarts 2 --validation-fraction 0.05 \
    --features physics \
    --label-source "K = Prospino NLO truth / exact LO on the truth rows; DeepXS σ_NLO / exact LO on points around them"
done
"$T" sample --around c1c1_train_rows.csv --count 60000 --spread 0.1 --seed 65 --out c1c1_lo_points.csv
"$T" sample --around n2n2_train_rows.csv --count 60000 --spread 0.1 --seed 63 --out n2n2_lo_points.csv

# χ̃⁰₂χ̃±₁: the DeepXS K networks serve as a teacher inside their domain.
# They label 100 000 points sampled around the generated reference spectra
# and 150 000 box points that pass the σ_min cut of the pair. The spectra
# with Prospino NLO truth are left out of the base and kept for
# validation. The DeepXS networks depend on the sign convention of N row 2
# and of U row 1 with V row 1, and these points come from other
# generators. The teacher therefore runs in the sign variant whose DeepXS
# σ_LO is closest to the exact σ_LO (--teacher-sign-search). As for c1c1
# and n2n2, the label is the DeepXS σ_NLO over the exact σ_LO, and points
# where the DeepXS σ_LO is off by more than 2 % stay unlabelled. K outside
# [0.8, 2] is left out: Prospino's K-factors for these pairs lie between
# about 0.9 and 1.6. The K networks are structured: K is the mean of one
# K-factor per coupling product, weighted with the LO terms, which
# `label --stage k --terms` solves from the engine with the squarks at
# their mean mass (see `train --features`).
cut -d, -f1 "$REF/prospino/nlo.csv" | tail -n +2 | sort -u > nlo_files.txt
awk -F, 'NR==FNR{skip[$1]=1;next} FNR==1 || !($1 in skip)' nlo_files.txt \
  "$REF/deepxs/testsets/generated_reference.csv" > n2c1_base.csv
"$T" sample --around n2c1_base.csv --count 25000 --spread 0.15 --seed 41 --out n2c1_points.csv
"$T" sample --around n2c1_base.csv --count 75000 --spread 0.15 --seed 42 --out n2c1_points2.csv
(cut -d, -f2-20 n2c1_base.csv; tail -n +2 n2c1_points.csv) > n2c1_all_points.csv
TEACHER_K=(--teacher "$REF/deepxs/networks" --teacher-k-range 0.8,2 --teacher-sign-search --teacher-nlo
  --teacher-lo-tolerance 0.02 --engine-pdf "$PDF")
for p in n2c1p n2c1m; do
  "$T" label --pair $p --stage lo --input box_points.csv --engine-pdf "$PDF" --out ${p}_lo_box.csv
  head -n 150001 ${p}_lo_box.csv > ${p}_k_box_points.csv
  "$T" label --pair $p --stage k --input n2c1_all_points.csv "${TEACHER_K[@]}" --terms --out ${p}_k_reference.csv
  "$T" label --pair $p --stage k --input n2c1_points2.csv "${TEACHER_K[@]}" --terms --out ${p}_k_reference2.csv
  "$T" label --pair $p --stage k --input ${p}_k_box_points.csv "${TEACHER_K[@]}" --terms --out ${p}_k_box.csv
  (cat ${p}_k_reference.csv; tail -n +2 ${p}_k_reference2.csv; tail -n +2 ${p}_k_box.csv) > ${p}_k.csv
  "$T" train --pair $p --stage k --data ${p}_k.csv --out set --members 3 --seed 51 "${K_NET[@]}" \
    --max-epochs 120 --learning-rate-decay 0.97 --patience 1000 --restarts 2 --validation-fraction 0.05 --features structured \
    --label-source "DeepXS σ_NLO / exact LO, in the sign variant the DeepXS σ_LO selects (within 2 % of the exact σ_LO), K in [0.8, 2], on points around reference spectra and on box points; LO terms from the exact engine with the squarks at their mean mass"
done

# LO: the exact engine labels the box points, and for c1c1 and n2n2 also
# the points drawn around the truth rows. The σ_min cut drops points per
# pair. The per-epoch decay lowers the learning rate by a factor of
# about 1000 over a member's run. n2n2 starts from 2e-3, the others from
# 1e-3: c1c1 and n2c1p diverged from 3e-3. An epoch whose validation
# error blows up sends the member back to its best weights at half the
# rate (see deepxs::train::trainer), which n2n2 needed once.
# Members beyond the first three train afterwards from new random weights
# with the first three's z-score constants and output map
# (--constants-from), and the assemble step adds them to the stage. The
# members' errors are largely independent, so the ensemble error falls
# roughly as one over the square root of their number. The c1c1
# members are replaced below, and the n2n2 stage trains further down. By
# multiply-adds, each c1c1 LO member adds a fifth to the c1c1 prediction
# time, and each member adds about 33 KiB to the web app's gzipped
# download.
# Columns: pair, epochs, decay, learning rate, patience, members.
GROWN=()
# n2n2 only gets its rows here (0 members); its LO stage trains below.
for run in "n2n2 700 0.99018 2e-3 1000 0" "c1c1 300 0.9772 1e-3 1000 3"; do
  read -r p epochs decay rate patience members <<<"$run"
  [ -f ${p}_lo_box.csv ] || "$T" label --pair $p --stage lo --input box_points.csv --engine-pdf "$PDF" --out ${p}_lo_box.csv
  "$T" label --pair $p --stage lo --input box_fresh_points.csv --engine-pdf "$PDF" --out ${p}_lo_fresh.csv
  cp ${p}_lo_box.csv ${p}_lo.csv
  source="$ENGINE on points of the pMSSM-19 box (tree-level spectra)"
  if [ -f ${p}_lo_points.csv ]; then
    "$T" label --pair $p --stage lo --input ${p}_lo_points.csv --engine-pdf "$PDF" --out ${p}_lo_near.csv
    tail -n +2 ${p}_lo_near.csv >> ${p}_lo.csv
    source="$source and on points around the DeepXS $p training rows"
  fi
  schedule=(--seed 71 --max-epochs $epochs --learning-rate-decay $decay --learning-rate $rate --patience $patience --label-source "$source")
  [ "$members" -gt 0 ] && "$T" train --pair $p --stage lo --data ${p}_lo.csv --out set --members 3 "${LO_NET[@]}" "${schedule[@]}"
  if [ "$members" -gt 3 ]; then
    "$T" train --pair $p --stage lo --data ${p}_lo.csv --out grow_$p --members $((members - 3)) --first-member 3 \
      --constants-from set --log set/training_log.csv "${LO_NET[@]}" "${schedule[@]}"
    GROWN+=(--add-members grow_$p)
  fi
done
# Three more LO members of a pair train on its rows plus 100 000 points
# around its truth rows (spread 0.05 and 0.15), which weighs the fit
# towards the test distribution. In 500 epochs they see twice as many
# samples as the first c1c1 members.
# Arguments: pair, first member, learning rate, two sampling seeds, a
# note for the label source, and further options of `sample`.
# wide_rows writes those rows to ${p}_lo_wide.csv (arguments: pair, two
# sampling seeds and further options of `sample`).
wide_rows() {
  local p=$1 seed_near=$2 seed_far=$3
  shift 3
  "$T" sample --around ${p}_train_rows.csv --count 50000 --spread 0.05 --seed $seed_near "$@" --out ${p}_lo_points2.csv
  "$T" sample --around ${p}_train_rows.csv --count 50000 --spread 0.15 --seed $seed_far "$@" --out ${p}_lo_points3.csv
  cp ${p}_lo.csv ${p}_lo_wide.csv
  for points in ${p}_lo_points2 ${p}_lo_points3; do
    "$T" label --pair $p --stage lo --input $points.csv --engine-pdf "$PDF" --out ${points}_labels.csv
    tail -n +2 ${points}_labels.csv >> ${p}_lo_wide.csv
  done
}
grow_wide() {
  local p=$1 first=$2 rate=$3 seed_near=$4 seed_far=$5 note=$6
  shift 6
  wide_rows $p $seed_near $seed_far "$@"
  "$T" train --pair $p --stage lo --data ${p}_lo_wide.csv --out grow2_$p --members 3 --first-member $first \
    --constants-from set --log set/training_log.csv "${LO_NET[@]}" --seed 71 --max-epochs 500 \
    --learning-rate-decay 0.98628 --learning-rate $rate --patience 1000 \
    --label-source "$ENGINE on points of the pMSSM-19 box (tree-level spectra) and on 160 000 points around the DeepXS $p training rows$note"
  GROWN+=(--add-members grow2_$p)
}
wide_rows n2n2 66 67
# The c1c1 members reach χ̃±₁ down to 70 GeV (the truth rows reach 77 GeV,
# the box stops at 100 GeV) and replace the first three, which only fix
# the z-score constants and output map. They are numbered 4 to 6.
grow_wide c1c1 4 1e-3 68 69 ", χ̃±₁ down to 70 GeV" --min-chargino-mass 70
GROWN+=(--drop-member c1c1_lo_0 --drop-member c1c1_lo_1 --drop-member c1c1_lo_2)
# Members 4 to 6 err most at heavy charginos: on fresh box points 0.010 %
# below 300 GeV and 0.07 % above 1 TeV, where the LO networks, not the K,
# set most of the c1c1 σ_NLO error. Members 7 to 9 train on the rows of
# members 4 to 6 plus two sets with χ̃±₁ of 600 GeV and more. One has
# new box points (seed 7). The other copies the rows of the wide set in
# that range with the mixing drawn at random (`sample --random-mixing`).
# Their decorrelated coupling products pin down the networks' functions
# of the masses. Of the six members, 6, 7 and 8 together err least on 26 492
# box points of another seed (1003): 0.029 %, against 0.031 % for 7 to 9
# and 0.039 % for 4 to 6. They are kept.
heavy_rows() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) column[$i] = i; print; next } $column["m_chi1pm"] >= 600' "$1"
}
heavy_rows c1c1_lo_wide.csv > c1c1_lo_heavy_rows.csv
"$T" sample --random-mixing c1c1_lo_heavy_rows.csv --count $(($(wc -l < c1c1_lo_heavy_rows.csv) - 1)) --seed 21 \
  --out c1c1_lo_heavy_mix_points.csv
"$T" label --pair c1c1 --stage lo --input c1c1_lo_heavy_mix_points.csv --engine-pdf "$PDF" --out c1c1_lo_heavy_mix.csv
"$T" sample --pmssm-box --count 300000 --seed 7 --out box7_points.csv
"$T" label --pair c1c1 --stage lo --input box7_points.csv --engine-pdf "$PDF" --out c1c1_lo_box7.csv
(cat c1c1_lo_wide.csv; heavy_rows c1c1_lo_box7.csv | tail -n +2; tail -n +2 c1c1_lo_heavy_mix.csv) > c1c1_lo_heavy.csv
"$T" train --pair c1c1 --stage lo --data c1c1_lo_heavy.csv --out grow3_c1c1 --members 3 --first-member 7 \
  --constants-from set --log set/training_log.csv "${LO_NET[@]}" --seed 71 --max-epochs 300 \
  --learning-rate-decay 0.97724 --learning-rate 1e-3 --patience 1000 \
  --label-source "$ENGINE on points of the pMSSM-19 box (tree-level spectra), on 160 000 points around the DeepXS c1c1 training rows (χ̃±₁ down to 70 GeV), on more box points with χ̃±₁ ≥ 600 GeV and on copies of the rows with χ̃±₁ ≥ 600 GeV with random mixing"
GROWN+=(--add-members grow3_c1c1 --drop-member c1c1_lo_4 --drop-member c1c1_lo_5 --drop-member c1c1_lo_9)
# n2n2 LO: members 15 to 20 train on the wide rows with their term values,
# for 300 epochs, with mass factors, term targets and normalised outputs
# (see the n2c1 block below). Each term gets its own mass factor
# (--term-factors): one fit on σ left the terms spread by 1.1 to 1.6 in
# ln, their own fits by 0.01 to 0.47. The sign-changing term (Z and
# right-squark interference) trains through σ alone. Member 15's run
# writes the stage.
"$T" label --pair n2n2 --stage lo --input n2n2_lo_wide.csv --engine-pdf "$PDF" --terms --out n2n2_lo_wide_terms.csv
for member in 15 16 17 18 19 20; do
  out=factors_n2n2_$member
  [ $member = 15 ] && out=set
  "$T" train --pair n2n2 --stage lo --data n2n2_lo_wide_terms.csv --out $out --members 1 --first-member $member \
    --log set/training_log.csv "${LO_NET[@]}" --seed 71 --max-epochs 300 --learning-rate-decay 0.97724 \
    --learning-rate 2e-3 --patience 1000 --mass-factors --term-factors --term-targets --normalised-outputs \
    --label-source "$ENGINE on points of the pMSSM-19 box (tree-level spectra) and on 160 000 points around the DeepXS n2n2 training rows, with the value of each term"
  [ $member = 15 ] || GROWN+=(--add-members $out)
done
# χ̃⁰₂χ̃±₁ LO: each network output stands for one term of σ_LO over mass
# factors (--mass-factors): a fit of the fall of σ_LO with the final-state
# masses times the term's squark propagator factors. The outputs then vary
# over a few tenths in ln σ instead of about 18. Each output also trains
# against the exact value of its term (--term-targets), which
# `label --terms` solves from the engine at fixed masses. The output map
# is fitted on σ over the summed factored coupling products
# (--normalised-outputs), so that the outputs span about one unit. Fitted
# on ln σ, they spanned a few hundredths. The rows are the box points and
# the box points of seed 7. Members 11 to 13 train one at a time; the
# first one's run writes the stage.
for p in n2c1p n2c1m; do
  "$T" label --pair $p --stage lo --input box_points.csv --engine-pdf "$PDF" --terms --out ${p}_lo_terms_box.csv
  "$T" label --pair $p --stage lo --input box7_points.csv --engine-pdf "$PDF" --terms --out ${p}_lo_terms_box7.csv
  "$T" label --pair $p --stage lo --input box_fresh_points.csv --engine-pdf "$PDF" --out ${p}_lo_fresh.csv
  (cat ${p}_lo_terms_box.csv; tail -n +2 ${p}_lo_terms_box7.csv) > ${p}_lo_terms.csv
  for member in 11 12 13; do
    out=factors_${p}_$member
    [ $member = 11 ] && out=set
    "$T" train --pair $p --stage lo --data ${p}_lo_terms.csv --out $out --members 1 --first-member $member \
      --log set/training_log.csv "${LO_NET[@]}" --seed 71 --max-epochs 300 --learning-rate-decay 0.97724 \
      --learning-rate 1e-3 --patience 1000 --mass-factors --term-targets --normalised-outputs \
      --label-source "$ENGINE on points of the pMSSM-19 box (tree-level spectra, two samples), with the value of each term"
    [ $member = 11 ] || GROWN+=(--add-members $out)
  done
done
"$T" assemble --dir set "${GROWN[@]}" --mantissa-bits 14 --description "$DESCRIPTION"
for p in c1c1 n2n2 n2c1p n2c1m; do
  "$T" evaluate --pair $p --stage lo --weights set --data ${p}_lo_fresh.csv
done

# The shipped files; the stage files and checkpoints stay in the work folder.
cp set/manifest.json set/*.safetensors set/training_log.csv "$REPO/weights/"
