// Level names: counted from the sacrum, checked with the lowest ribs (on T2 without either, from the
// conus); the user's shift or declared transitional anatomy last; the sacrum cut below S1.
#include "spine/LevelNaming.h"

#include "spine/SpineMath.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <algorithm>
#include <cstdio>

namespace drg::imaging::spine
{

std::vector<std::string> levelSequence(bool t13, bool l6)
{
  std::vector<std::string> s;
  for (int i = 1; i <= 12; ++i) {
    s.push_back("T" + std::to_string(i));
  }
  if (t13) {
    s.emplace_back("T13");
  }
  for (int i = 1; i <= 5; ++i) {
    s.push_back("L" + std::to_string(i));
  }
  if (l6) {
    s.emplace_back("L6");
  }
  s.emplace_back("S1");
  return s;
}

namespace
{

/// What the user does about level names in doubt (said with every such warning).
const char* const kHowToConfirm =
  "Count the levels on the scout (localiser) or a prior image that shows the sacrum and the ribs, or "
  "on the fluoroscopic count in the OR; then name a vertebra (Spine > Name the vertebra at the crosshair, "
  "--level-at) or confirm the names (Spine > Confirm the levels, --confirm-levels)";

/// What tells a sixth lumbar vertebra from eleven rib pairs (the image's own anchors cannot).
const char* const kHowToCount =
  "Count the vertebrae down from C2 on a whole-spine localiser, or the ribs from the first on a chest "
  "image; otherwise agree the names with the implanter's fluoroscopic count (up from the sacrum) and "
  "record which was used; then name a vertebra (Spine > Name the vertebra at the crosshair, --level-at) "
  "or confirm the names (Spine > Confirm the levels, --confirm-levels)";

/// S1: of the sacral segments (alae beside, fused bone below: BodiesAndDiscs.cpp), the one with the
/// widest alae (L5's transverse processes and the iliac wings beside it can look like small alae;
/// S1's are the largest); -1 when none is sacral.
int findS1(const std::vector<Segment>& segments)
{
  const int count = static_cast<int>(segments.size());
  int s1 = -1;
  for (int i = 1; i < count; ++i) {
    const Segment& seg = segments[static_cast<std::size_t>(i)];
    if (seg.sacral && (s1 < 0 || std::min(seg.alaLeft, seg.alaRight) >
                                   std::min(segments[static_cast<std::size_t>(s1)].alaLeft,
                                            segments[static_cast<std::size_t>(s1)].alaRight))) {
      s1 = i;
    }
  }
  return s1;
}

/// What made a segment the sacrum's S1, in words.
std::string sacralEvidence(const Segment& s1)
{
  char text[200];
  std::snprintf(
    text, sizeof text,
    "S1 found below the lowest mobile disc: bone as wide as the sacral alae beside it (%.2f / %.2f "
    "of the band), fused bone running on %.0f mm below it without a disc",
    s1.alaLeft, s1.alaRight, s1.fusedBelowMm);
  return text;
}

/// What made a segment rib-bearing, in words.
std::string ribEvidence(const Segment& s)
{
  char text[160];
  std::snprintf(text, sizeof text,
                "rib heads at its body (%.2f / %.2f of their place), rib bone 50-70 mm out (%.2f / %.2f)",
                s.ribHeadLeft, s.ribHeadRight, s.ribLeft, s.ribRight);
  return text;
}

/// The lowest vertebra with bone as wide as sacral alae beside it but nothing fused below it (the
/// image ends there): not the sacrum, but a reason to doubt a count that takes it for a lumbar one.
int alaeWithoutSacrum(const std::vector<Segment>& segments)
{
  for (int i = static_cast<int>(segments.size()) - 1; i >= 1; --i) {
    if (segments[static_cast<std::size_t>(i)].alae && !segments[static_cast<std::size_t>(i)].sacral) {
      return i;
    }
  }
  return -1;
}

/// The lowest rib-bearing vertebra: the end of the run of rib-bearing vertebrae from the top (the
/// iliac wings beside the lower lumbar spine must not count as ribs); -1 when there is none.
int findLowestRib(const std::vector<Segment>& segments, int s1)
{
  const int count = static_cast<int>(segments.size());
  for (int i = 0; i < count; ++i) {
    if (s1 >= 0 && i >= s1 - 1) {
      break;
    }
    if (!segments[static_cast<std::size_t>(i)].ribs) {
      break;
    }
    if (i + 1 < count && !segments[static_cast<std::size_t>(i + 1)].ribs) {
      return i;
    }
  }
  return -1;
}

/// The anchor the levels are counted from: which segment, its name and the sequence of names.
struct Anchor
{
  int index = -1;
  std::string name;
  std::vector<std::string> sequence;
};

Anchor chooseAnchor(const std::vector<Segment>& segments, const SpineLabelOverride& o, bool mr,
                    const std::function<std::optional<int>()>& conus, LevelCount& count)
{
  bool t13 = o.declaredSet && o.declared == TransitionalAnatomy::T13;
  bool l6 = o.declaredSet && o.declared == TransitionalAnatomy::L6;
  const int s1 = findS1(segments);
  const int lowestRib = findLowestRib(segments, s1);
  Anchor a;
  if (s1 >= 0) {
    count.anchor = "sacrum";
    a.index = s1;
    a.name = "S1";
    int lumbarBetween = lowestRib >= 0 ? s1 - lowestRib - 1 : -1;
    if (!o.declaredSet && lumbarBetween == 6) {
      l6 = true;
      count.transitionalCount = true;
      count.warnings.push_back(
        "six vertebrae without ribs between the lowest ribs and the sacrum: named L1-L6, as for a sixth "
        "lumbar vertebra; with eleven rib pairs the lowest is L5 and every name above it one level lower");
    }
    a.sequence = levelSequence(t13, l6);
    if (lowestRib >= 0) {
      int expectedLumbar = l6 ? 6 : 5;
      if (lumbarBetween != expectedLumbar) {
        count.anchorsDisagree = true;
        count.warnings.push_back(
          "the lowest ribs (on the vertebra " + std::to_string(s1 - lowestRib) +
          " above S1) disagree with counting from the sacrum; labels follow the sacrum: "
          "check for transitional anatomy (L6, T13, sacralised L5) and override");
      }
      count.anchorDetail = sacralEvidence(segments[static_cast<std::size_t>(s1)]) +
                           "; lowest ribs on the vertebra " + std::to_string(s1 - lowestRib) + " above it";
    } else {
      count.anchorDetail =
        sacralEvidence(segments[static_cast<std::size_t>(s1)]) +
        (mr ? "; ribs are not assessed on MR (the kidneys beside them share marrow's T2 signal)"
            : "; no ribs in view to cross-check");
    }
  } else if (lowestRib >= 0) {
    count.anchor = "lowest ribs";
    a.sequence = levelSequence(t13, l6);
    a.index = lowestRib;
    a.name = t13 ? "T13" : "T12";
    count.anchorDetail = "no sacrum in view: the lowest rib-bearing vertebra is taken as " + a.name + " (" +
                         ribEvidence(segments[static_cast<std::size_t>(lowestRib)]) + ")";
    count.warnings.push_back("levels counted from the lowest ribs only (no sacrum in view): less certain");
    if (alaeWithoutSacrum(segments) >= 0) {
      count.anchorDetail += "; the lowest vertebra in view has bone as wide as sacral alae beside it but no "
                            "fused bone below it (the image ends there): not taken for the sacrum";
    }
  } else if (const auto tip = mr ? conus() : std::nullopt) {
    // T2 MR without sacrum or ribs (a sagittal slab): the conus medullaris ends at the L1/L2 disc
    // in most adults (T12 to L3 in all): a weak anchor, said so
    count.anchor = "conus medullaris";
    a.sequence = levelSequence(t13, l6);
    a.index = *tip;
    a.name = "L1";
    count.anchorDetail =
      "no sacrum in view (ribs are not assessed on MR): the vertebra above the disc nearest the conus "
      "tip is taken as L1 (the conus ends between T12 and L3; L1/L2 is commonest)";
    count.warnings.push_back("levels counted from the conus medullaris: uncertain by one level or more");
  } else if (alaeWithoutSacrum(segments) >= 0) {
    throw Error(ErrorCode::NotFound,
                "levels cannot be counted: the lowest vertebra in view has bone as wide as the sacral alae "
                "beside it, but the image ends before the bone fused below S1 would show, so it may be S1 or "
                "an L5 with large transverse processes, and no ribs are in view; name a vertebra you know "
                "(--level-at X,Y,Z=LEVEL, Spine > Name the vertebra) or image a longer stretch of the spine");
  } else {
    throw Error(ErrorCode::NotFound,
                "levels cannot be counted: the image shows neither the sacrum nor the lowest ribs; name a "
                "vertebra you know (--level-at X,Y,Z=LEVEL, Spine > Name the vertebra) or image a longer "
                "stretch of the spine");
  }
  return a;
}

/// Every segment named from the anchor, shifted by the user; below S1 the sacrum, merged into one.
void assignNames(std::vector<Segment>& segments, const Anchor& anchor, int s1, int shift)
{
  const int count = static_cast<int>(segments.size());
  const std::vector<std::string>& seq = anchor.sequence;
  const auto at = std::find(seq.begin(), seq.end(), anchor.name);
  const int anchorSeq = static_cast<int>(at - seq.begin());
  for (int i = 0; i < count; ++i) {
    Segment& seg = segments[static_cast<std::size_t>(i)];
    int q = anchorSeq + (i - anchor.index) + shift;
    if (s1 >= 0 && i > s1) {
      seg.level = "sacrum";
    } else if (q >= 0 && q < static_cast<int>(seq.size())) {
      seg.level = seq[static_cast<std::size_t>(q)];
    } else if (q >= static_cast<int>(seq.size())) {
      seg.level = "sacrum";
    }
    seg.label = labels::vertebraLabel(seg.level);
  }
  // the sacrum below S1 is one bone: merge its segments
  std::vector<Segment> merged;
  for (const auto& seg : segments) {
    if (!merged.empty() && seg.level == "sacrum" && merged.back().level == "sacrum") {
      merged.back().run.last = seg.run.last;
      merged.back().bottomOpen = seg.bottomOpen;
    } else if (!seg.level.empty()) {
      merged.push_back(seg);
    }
  }
  segments = merged;
}

/// S1 and the rest of the sacrum are fused: cut at the remnant of the S1/S2 disc (the profile's
/// lowest point about one body height down), or one L5 body height below the S1 endplate. A
/// remnant lies between two bodies, so at least half an S2 body (half of L5's height) must be in
/// view below a dip: where the view ends lower, the dip is the sacrum narrowing below S1 (and its
/// depth is judged against a median raised by the missing lower sacrum), not a disc.
void cutSacrumBelowS1(std::vector<Segment>& segments, const std::vector<double>& profile)
{
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].level != "S1") {
      continue;
    }
    Segment& s1seg = segments[i];
    const double ref = i > 0 ? segments[i - 1].run.length() : 28.0;
    if (s1seg.run.length() < 1.4 * ref) {
      break;
    }
    const int lo = s1seg.run.first + static_cast<int>(0.7 * ref);
    const int hi =
      std::min(s1seg.run.last - static_cast<int>(0.5 * ref), s1seg.run.first + static_cast<int>(1.4 * ref));
    int cut = s1seg.run.first + static_cast<int>(ref);
    std::vector<double> inside(profile.begin() + s1seg.run.first, profile.begin() + s1seg.run.last + 1);
    const double typical = percentile(inside, 0.5);
    for (int n = lo; n <= hi; ++n) {
      if (profile[static_cast<std::size_t>(n)] < 0.8 * typical &&
          profile[static_cast<std::size_t>(n)] < profile[static_cast<std::size_t>(cut)]) {
        cut = n;
      }
    }
    Segment sacrum = s1seg;
    sacrum.run.first = cut + 1;
    sacrum.level = "sacrum";
    sacrum.label = labels::vertebraLabel("sacrum");
    sacrum.topOpen = false;
    s1seg.run.last = cut;
    s1seg.bottomOpen = false;
    if (i + 1 < segments.size() && segments[i + 1].level == "sacrum") {
      segments[i + 1].run.first = sacrum.run.first;
    } else {
      segments.insert(segments.begin() + static_cast<long>(i) + 1, sacrum);
    }
    break;
  }
}

} // namespace

LevelCount nameLevels(std::vector<Segment>& segments, const std::vector<double>& profile,
                      const SpineLabelOverride& user, bool mr,
                      const std::function<std::optional<int>()>& conus, std::optional<int> userSegment)
{
  LevelCount count;
  const int s1 = findS1(segments);
  const int lowestRib = findLowestRib(segments, s1);
  // the count from the image's own anchors (when there is one), also where the user anchored it:
  // it is the evidence the user's anchor is checked against
  std::optional<Anchor> counted;
  try {
    counted = chooseAnchor(segments, user, mr, conus, count);
  } catch (const Error&) {
    if (!userSegment) {
      throw;
    }
  }
  LevelCheck& check = count.check;
  if (counted) {
    check.anchors.push_back(count.anchor + ": " + count.anchorDetail);
    if (count.anchor == "sacrum" && lowestRib >= 0) {
      check.anchors.push_back("lowest ribs: on the vertebra " + std::to_string(s1 - lowestRib) +
                              " above S1 (T12 when five lumbar vertebrae lie between): " +
                              ribEvidence(segments[static_cast<std::size_t>(lowestRib)]));
    }
  }
  if (userSegment) {
    // the user's anchor: the vertebra holding their point is the level they named
    const bool t13 = user.declaredSet && user.declared == TransitionalAnatomy::T13;
    const bool l6 = user.declaredSet && user.declared == TransitionalAnatomy::L6;
    Anchor mine{ *userSegment, user.anchorAt->level, levelSequence(t13, l6) };
    const auto at = std::find(mine.sequence.begin(), mine.sequence.end(), mine.name);
    if (at == mine.sequence.end()) {
      throw Error(
        ErrorCode::InvalidArgument,
        "the level " + mine.name + " given for the anchor is not a vertebra of this spine's sequence" +
          (mine.name == "L6" || mine.name == "T13" ? " (declare the transitional anatomy too)" : ""));
    }
    check.status = "user-anchored";
    check.anchors.insert(check.anchors.begin(), "the user: the vertebra at the point given is " + mine.name);
    if (counted) {
      const auto own = std::find(counted->sequence.begin(), counted->sequence.end(), counted->name);
      const long q = (own - counted->sequence.begin()) + (*userSegment - counted->index);
      const std::string theirs = q >= 0 && q < static_cast<long>(counted->sequence.size())
                                   ? counted->sequence[static_cast<std::size_t>(q)]
                                   : std::string("outside T1-S1");
      if (theirs != mine.name) {
        const bool both = count.anchor == "sacrum" && lowestRib >= 0 && !count.anchorsDisagree;
        check.reasons.push_back((both ? std::string("the sacrum and the lowest ribs, which agree, name")
                                      : "counting from the " + count.anchor + " names") +
                                " this vertebra " + theirs + ", not " + mine.name);
      }
    } else {
      check.reasons.push_back(
        "the image shows neither the sacrum nor the lowest ribs to check the anchor against");
    }
    count.anchor = "the user's anchor (" + mine.name + ")";
    count.anchorDetail = "levels counted from the vertebra the user named " + mine.name;
    count.anchorsDisagree = !check.reasons.empty() && counted.has_value();
    count.warnings.clear(); // (the count's own doubts are the reasons now)
    if (count.anchorsDisagree) {
      count.warnings.push_back("the levels follow the vertebra you named " + mine.name +
                               ", against the image: " + check.reasons.front() + ". " + kHowToConfirm);
    }
    // S1 where the user's count puts it (the sacrum below it merged)
    const long userS1 = (std::find(mine.sequence.begin(), mine.sequence.end(), "S1") - at) + *userSegment;
    assignNames(segments, mine, userS1 < static_cast<long>(segments.size()) ? static_cast<int>(userS1) : -1,
                0);
  } else {
    assignNames(segments, *counted, s1, user.shift);
    if (user.shift != 0) {
      const std::string countedFrom = count.anchor;
      count.anchor += " (shifted by the user by " + std::to_string(user.shift) + ")";
      check.status = "user-anchored";
      check.reasons.push_back("the user moved every level " + std::to_string(std::abs(user.shift)) +
                              (user.shift > 0 ? " lower" : " higher") + " than the count from the " +
                              countedFrom);
    } else if (count.anchor == "sacrum" && lowestRib >= 0 && !count.anchorsDisagree &&
               !count.transitionalCount) {
      // two independent anchors agree (the sacrum's S1 and the lowest ribs' T12, the lumbar count
      // between them as expected)
      check.status = "consistent";
    } else {
      check.status = "unconfirmed";
      if (count.transitionalCount) {
        // a sixth lumbar vertebra (5.5 % of adults) and eleven rib pairs (5.8 %) both leave six
        // vertebrae without ribs above the sacrum; only a count from C2 tells them apart
        check.reasons.push_back("six vertebrae without ribs above the sacrum: a sixth lumbar vertebra (the "
                                "lowest then L6) or eleven rib pairs (the lowest then L5, every name one "
                                "lower)");
      } else if (count.anchorsDisagree) {
        check.reasons.push_back("the sacrum and the lowest ribs give different counts");
      } else if (count.anchor == "sacrum") {
        check.reasons.push_back(mr ? "one anchor only, the sacrum: ribs are not assessed on MR"
                                   : "one anchor only, the sacrum: no lowest ribs in view to cross-check");
      } else if (count.anchor == "lowest ribs") {
        check.reasons.push_back("one anchor only, the lowest ribs: no sacrum in view");
      } else {
        check.reasons.push_back("a weak anchor only, the " + count.anchor +
                                ": it ends anywhere between T12 and L3");
      }
    }
  }
  if (check.status == "unconfirmed") {
    count.warnings.push_back("levels unconfirmed: " + check.why() + ". " +
                             (count.transitionalCount ? kHowToCount : kHowToConfirm));
  }
  // the thoracic names: counted from the sacrum or the ribs, they assume twelve rib pairs. Eleven
  // (the lowest rib-bearing vertebra then being the 19th) or thirteen pairs put them one level off
  // with the lumbar names right; nothing in a lumbar field of view tells, only counting the ribs
  // from the first or the vertebrae from C2 does
  const bool thoracic = std::any_of(segments.begin(), segments.end(),
                                    [](const Segment& s) { return !s.level.empty() && s.level[0] == 'T'; });
  if (thoracic && !userSegment) {
    check.thoracicNames = "the thoracic names assume twelve rib pairs: with eleven or thirteen they are one "
                          "level off (the lumbar names are not); counting the ribs from the first, or the "
                          "vertebrae from C2, tells";
  }
  cutSacrumBelowS1(segments, profile);
  return count;
}

std::optional<std::string> thinLumbosacralDisc(const std::vector<SpineDisc>& discs)
{
  if (discs.size() < 3 || discs.back().lowerLevel != "S1") {
    return std::nullopt;
  }
  std::vector<double> above;
  for (std::size_t i = 0; i + 1 < discs.size(); ++i) {
    above.push_back(discs[i].heightMm);
  }
  const double median = percentile(above, 0.5);
  const double h = discs.back().heightMm;
  if (median <= 0 || h >= 0.5 * median) {
    return std::nullopt;
  }
  char text[300];
  std::snprintf(
    text, sizeof text,
    "the %s/S1 disc is %.1f mm high, under half the %.1f mm of the discs above it: a transitional "
    "lumbosacral vertebra (a sacralised L5's rudimentary disc) or a degenerated disc; check the "
    "transverse processes of the vertebra above it against the sacral ala",
    discs.back().upperLevel.c_str(), h, median);
  return std::string(text);
}

std::vector<std::string> implausibleVertebrae(const std::vector<SpineVertebra>& vertebrae)
{
  std::vector<std::string> out;
  // (S1 carries the alae: it is no measure of a lumbar vertebra's size)
  auto counts = [](const SpineVertebra& v) {
    return v.complete && v.level != "sacrum" && v.level != "S1" && v.volumeMl > 0;
  };
  for (std::size_t i = 0; i < vertebrae.size(); ++i) {
    const SpineVertebra& v = vertebrae[i];
    if (!counts(v)) {
      continue;
    }
    // against each complete neighbour within two levels: a merged vertebra is larger than all of
    // them, a part smaller than all (so one outlier does not make its neighbours look wrong)
    double smallest = 1e9, largest = 0;
    for (std::size_t j = i >= 2 ? i - 2 : 0; j <= i + 2 && j < vertebrae.size(); ++j) {
      if (j != i && counts(vertebrae[j])) {
        smallest = std::min(smallest, vertebrae[j].volumeMl);
        largest = std::max(largest, vertebrae[j].volumeMl);
      }
    }
    if (largest <= 0) {
      continue;
    }
    const double ratio = v.volumeMl > 1.6 * largest ? v.volumeMl / largest : v.volumeMl / smallest;
    char text[200];
    if (v.volumeMl > 1.6 * largest) {
      std::snprintf(text, sizeof text,
                    "%s is %.0f ml, %.1f times its neighbours: it may be two vertebrae taken for one",
                    v.level.c_str(), v.volumeMl, ratio);
      out.emplace_back(text);
    } else if (v.volumeMl < 0.55 * smallest) {
      std::snprintf(
        text, sizeof text,
        "%s is %.0f ml, %.1f times its neighbours: it may be part of a vertebra taken for a whole one",
        v.level.c_str(), v.volumeMl, ratio);
      out.emplace_back(text);
    }
  }
  return out;
}

} // namespace drg::imaging::spine
