#pragma once
// Internal: the report's A4 pages, drawn in millimetres.

#include <QColor>
#include <QFont>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QString>

#include <functional>

#include <utility>
#include <vector>

namespace drg::report
{

/// A4 pages drawn in millimetres: `y` runs down the page, text wraps inside the margins. Each page
/// is footed with its number and the report's warning.
class ReportPages
{
public:
  /// `total` 0: a counting pass (images take their room but are not drawn). `footer`: the line at
  /// the foot of every page (empty: the placement report's).
  ReportPages(QPdfWriter& writer, int total, QString footer = {});
  ~ReportPages();

  void newPage();
  QPainter& painter() { return m_painter; }
  double width() const { return m_width; }
  double y = 0; ///< where the next item goes, mm from the top of the page's printable area

  void heading(const QString& text, double size = 14);
  void paragraph(const QString& text, double size = 9, bool bold = false, const QColor& colour = Qt::black);
  /// Rows of two columns: name and value.
  void table(const std::vector<std::pair<QString, QString>>& rows, double size = 8.5, double nameWidth = 55);
  /// Images side by side across the page, `heightMm` high, with captions.
  void images(const std::vector<std::pair<QImage, QString>>& items, double heightMm);
  /// Whether `mmNeeded` more fit on this page (above the footer).
  bool fits(double mmNeeded) const { return y + mmNeeded < m_height - 10; }
  /// The room left on this page (above the footer), mm.
  double room() const { return m_height - 10 - y; }
  /// The pages begun so far.
  int count() const { return m_page; }

private:
  QFont font(double points, bool bold) const;
  void text_(const QString& text, double size, bool bold, const QColor& colour = Qt::black);
  void begin();

  QPdfWriter& m_writer;
  QPainter m_painter;
  int m_total = 1;
  QString m_footer;
  int m_page = 0;
  double m_width = 180, m_height = 270;
};

/// An A4 PDF drawn by `draw` twice (once to count the pages, once with "page i of n"), with
/// `footer` on every page; its bytes, and the page count in `pages`.
QByteArray numberedPdf(const QString& title, const QString& creator, const QString& footer,
                       const std::function<void(ReportPages&)>& draw, int& pages);

} // namespace drg::report
