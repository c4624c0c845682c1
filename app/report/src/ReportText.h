#pragma once
// Internal: how the report writes text, lengths, points and sides.

#include "drg/imaging/SpineLevel.h"

#include <QObject>
#include <QString>

#include <Eigen/Core>

#include <string>

namespace drg::report
{

/// UTF-8 text as a QString.
inline QString q(const std::string& s)
{
  return QString::fromStdString(s);
}

/// A length in mm (or another number) with `decimals` decimals.
inline QString mm(double v, int decimals = 1)
{
  return QString::number(v, 'f', decimals);
}

/// An LPS point in mm: "x, y, z", one decimal each.
inline QString point(const Eigen::Vector3d& p)
{
  return QString("%1, %2, %3").arg(mm(p.x()), mm(p.y()), mm(p.z()));
}

/// A DICOM date "20260101" as "2026-01-01"; other text as it is.
inline QString dateText(const std::string& d)
{
  if (d.size() == 8 && d.find_first_not_of("0123456789") == std::string::npos) {
    return q(d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2));
  }
  return q(d);
}

/// "left" or "right" (translated).
inline QString sideText(imaging::Side s)
{
  return s == imaging::Side::Left ? QObject::tr("left") : QObject::tr("right");
}

} // namespace drg::report
